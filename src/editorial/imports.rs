//! Imports over the API: a Khabar export (JSON Lines) sent by an admin, applied as
//! `khabar import` applies a file.

use crate::db::DbConnection;
use crate::domain::permissions::Permission;
use crate::transfer::import::{self, ImportError, ImportOptions, Target};
use crate::transfer::report::Report;
use crate::uploads::MediaStore;

use super::{Actor, EditContext, EditError};

pub fn run(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    media: &MediaStore,
    body: &[u8],
    options: ImportOptions,
) -> Result<Report, EditError> {
    actor.require(Permission::ImportArchive, "import archives")?;
    let links = ctx
        .images
        .as_ref()
        .ok_or_else(|| EditError::from(anyhow::anyhow!("this node cannot sign image URLs")))?;
    let target = Target {
        media,
        links,
        urls: &ctx.urls,
        origin: &ctx.origin,
    };
    let lines = import::json_lines(body);
    match import::import(conn, &target, lines, options, &|_| {}) {
        // The import logged that everything changed: caches and the edge follow the log.
        Ok(report) => Ok(report),
        Err(ImportError::NotImportable { line, message }) => Err(EditError::invalid(
            "/",
            crate::domain::validation::FieldCode::Format,
            format!("line {line}: {message}; nothing was imported"),
        )),
        Err(ImportError::Database(error)) => Err(error.into()),
        Err(ImportError::Read(error)) => Err(EditError::from(
            anyhow::Error::new(error).context("reading the body"),
        )),
        Err(ImportError::RolledBack) => Err(EditError::from(anyhow::anyhow!(
            "an atomic import ended unexpectedly"
        ))),
    }
}
