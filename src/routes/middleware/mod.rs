//! Middleware every request passes through, outermost first: content codings (`encoding`),
//! CORS (`cors`), connection caps, deadlines and draining (`guard`), and innermost the fast path
//! of repeated public reads (`fast_read`); and the method table behind the 405 answers
//! (`methods`).

pub mod cors;
pub mod encoding;
pub mod fast_read;
pub mod guard;
pub mod head_deadline;
pub mod methods;
pub mod request_id;
