//! `khabar export`, `khabar import` and `khabar backup`.

use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use crate::api::article::UrlBuilder;
use crate::bootstrap::{self, BootstrapError};
use crate::config::Settings;
use crate::db::{Backend, DbError};
use crate::transfer::export::{self, ExportOptions};
use crate::transfer::import::{self, ImportError, ImportOptions, Target};
use crate::transfer::report::Report;

/// Where an import comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// Khabar's own JSON Lines export.
    Khabar,
    /// A WordPress eXtended RSS file (Tools → Export).
    Wordpress,
}

pub fn export(
    settings: &Settings,
    output: Option<&Path>,
    options: &ExportOptions,
) -> Result<(), BootstrapError> {
    let (pool, _) = bootstrap::open(settings)?;
    let mut conn = pool.get().map_err(DbError::Pool)?;
    let started = std::time::Instant::now();
    let counts = match output {
        Some(path) if path != Path::new("-") => {
            // Written aside and renamed into place: a failed export leaves no half file.
            let partial = path.with_extension("partial");
            let file = std::fs::File::create(&partial)
                .map_err(|e| BootstrapError::Other(format!("cannot create {}: {e}", partial.display())))?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            let counts = export::export(&mut conn, &settings.media.storage, options, &mut out)
                .map_err(|e| BootstrapError::Other(format!("export failed: {e}")))?;
            out.into_inner()
                .map_err(|e| BootstrapError::Other(format!("cannot write {}: {e}", partial.display())))?
                .sync_all()
                .map_err(|e| BootstrapError::Other(format!("cannot write {}: {e}", partial.display())))?;
            std::fs::rename(&partial, path)
                .map_err(|e| BootstrapError::Other(format!("cannot write {}: {e}", path.display())))?;
            counts
        }
        _ => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
            let counts = export::export(&mut conn, &settings.media.storage, options, &mut out)
                .map_err(|e| BootstrapError::Other(format!("export failed: {e}")))?;
            out.flush()
                .map_err(|e| BootstrapError::Other(format!("cannot write the export: {e}")))?;
            counts
        }
    };
    let summary: Vec<String> = counts.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    eprintln!(
        "exported {} in {:.1} s",
        summary.join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Imports `file`; the report goes to stdout (and as JSON to `report_json`). A file with
/// refused records is an error (exit 1) after everything valid was imported.
pub fn import(
    settings: &Settings,
    file: &Path,
    source: Source,
    options: ImportOptions,
    wordpress: &crate::transfer::wordpress::WordpressOptions,
    report_json: Option<&Path>,
) -> Result<(), BootstrapError> {
    let (pool, _) = bootstrap::open(settings)?;
    let mut conn = pool.get().map_err(DbError::Pool)?;
    let secret = bootstrap::image_secret(&mut conn, settings)?;
    let links = settings
        .media
        .links(secret.as_bytes(), settings.public_url.clone());
    let urls = UrlBuilder::new(settings.site_url.clone());
    let pipeline = bootstrap::pipeline(settings, Some(links.clone()));
    let ctx = pipeline.context(crate::domain::changes::Origin::system("cli"));
    let target = Target {
        media: &settings.media,
        links: &links,
        urls: &urls,
        origin: &ctx.origin,
    };
    let started = std::time::Instant::now();
    // A line each time another 10,000 articles are done.
    let reported = std::cell::Cell::new(0u64);
    let progress = |report: &Report| {
        let done = report
            .counts
            .get("article")
            .map_or(0, |t| t.created + t.updated + t.unchanged + t.failed);
        if done / 10_000 > reported.get() / 10_000 {
            reported.set(done);
            eprintln!("{done} articles ({:.0} s)", started.elapsed().as_secs_f64());
        }
    };
    let opened = std::fs::File::open(file)
        .map_err(|e| BootstrapError::Other(format!("cannot open {}: {e}", file.display())))?;
    let result = pipeline.run_batches(&mut conn, &ctx, |conn, _| match source {
        Source::Khabar => import::import(
            conn,
            &target,
            import::json_lines(BufReader::with_capacity(1 << 20, opened)),
            options,
            &progress,
        ),
        Source::Wordpress => {
            crate::transfer::wordpress::import(conn, &target, file, options, wordpress, &progress)
        }
    });
    let report = match result {
        Ok(report) => report,
        Err(ImportError::NotImportable { line, message }) => {
            return Err(BootstrapError::Other(format!(
                "{}: line {line}: {message}; nothing was imported",
                file.display()
            )))
        }
        Err(e) => return Err(BootstrapError::Other(format!("import failed: {e}"))),
    };
    // Everything was compiled for this site and indexed by this version.
    bootstrap::record_site_url(&mut conn, &settings.site_url).map_err(BootstrapError::from)?;
    bootstrap::record_search_index(&mut conn).map_err(BootstrapError::from)?;
    crate::editorial::events::everything_changed(&mut conn, &crate::domain::changes::Origin::system("cli"))
        .map_err(BootstrapError::from)?;
    for line in report.lines() {
        println!("{line}");
    }
    for line in report.problem_lines() {
        eprintln!("{line}");
    }
    println!("in {:.1} s", started.elapsed().as_secs_f64());
    if let Some(path) = report_json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| BootstrapError::Other(e.to_string()))?;
        std::fs::write(path, json)
            .map_err(|e| BootstrapError::Other(format!("cannot write {}: {e}", path.display())))?;
    }
    if report.rolled_back {
        return Err(BootstrapError::Other(format!(
            "{} problem(s); --atomic: nothing was imported",
            report.problems.len()
        )));
    }
    if !report.problems.is_empty() {
        let rest = if report.written() == 0 {
            "nothing else needed writing".to_owned()
        } else {
            format!("the other {} were written", report.written())
        };
        return Err(BootstrapError::Other(format!(
            "{} record(s) were refused (each on a line above); {rest}; running the import again after fixing them finishes the job",
            report.refused()
        )));
    }
    Ok(())
}

/// A consistent copy of the database, taken while the server runs: SQLite's `VACUUM INTO`,
/// checked with `integrity_check`. On PostgreSQL, `pg_dump` is the tool (see the README).
pub fn backup(settings: &Settings, path: &Path) -> Result<(), BootstrapError> {
    if settings.database_url.backend() != Backend::Sqlite {
        return Err(BootstrapError::Other(
            "khabar backup copies SQLite databases; on PostgreSQL use pg_dump -Fc (or pg_basebackup), and khabar export for a copy any Khabar can import (README: Backups)".into(),
        ));
    }
    if path.exists() {
        return Err(BootstrapError::Other(format!(
            "{} exists; a backup does not overwrite",
            path.display()
        )));
    }
    let (pool, _) = bootstrap::open(settings)?;
    let mut conn = pool.get().map_err(DbError::Pool)?;
    let started = std::time::Instant::now();
    let pages = crate::db::backup::sqlite_copy(&mut conn, path)
        .map_err(|e| BootstrapError::Other(format!("backup failed: {e}")))?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "backed up to {} ({pages} pages, integrity ok) in {:.1} s; media are not in it: copy {} as well",
        path.display(),
        started.elapsed().as_secs_f64(),
        settings
            .media
            .storage
            .local_dir()
            .map_or("the media bucket".to_owned(), |d| d.display().to_string())
    );
    Ok(())
}
