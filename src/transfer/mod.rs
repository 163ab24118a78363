//! Data in and out: Khabar's own lossless export ([`format`], [`export`]) and the import that
//! reads it back ([`import`], [`apply`]), WordPress archives turned into the same records
//! ([`wordpress`]), and what an import reports ([`report`]).

pub mod apply;
pub mod bulk;
pub mod export;
pub mod format;
pub mod import;
pub mod parallel;
pub mod report;
pub mod wordpress;
