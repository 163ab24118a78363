//! Error text with its causes, for logs and delivery records.

/// An error and its causes on one line ("cannot store the file: No space left on device"),
/// for logs: most errors' own message leaves the cause out.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
