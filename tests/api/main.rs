//! One integration binary: the app served in-process, over HTTP, on SQLite and PostgreSQL.

mod helpers;

mod articles;
mod bootstrap;
mod cli;
mod health;
mod openapi;
mod schema;
