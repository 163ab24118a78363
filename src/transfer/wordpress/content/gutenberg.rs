//! Gutenberg's serialized blocks: `<!-- wp:name {attributes} -->` … `<!-- /wp:name -->`
//! comments around HTML, parsed into a tree (nesting bounded), as WordPress's own block parser
//! reads them.

/// A piece of Gutenberg content: HTML between block comments, or a block.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Html { html: String, offset: usize },
    Block(GutenbergBlock),
}

#[derive(Debug, Clone, PartialEq)]
pub struct GutenbergBlock {
    /// `core/paragraph` (a name without a namespace is core's).
    pub name: String,
    pub attributes: serde_json::Value,
    pub pieces: Vec<Piece>,
    pub offset: usize,
}

impl GutenbergBlock {
    /// The block's own HTML, without its inner blocks.
    pub fn inner_html(&self) -> String {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Html { html, .. } => Some(html.as_str()),
                Piece::Block(_) => None,
            })
            .collect()
    }

    /// The block's HTML with its inner blocks' HTML in place (their comments left out).
    pub fn full_html(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Html { html, .. } => out.push_str(html),
                Piece::Block(inner) => out.push_str(&inner.full_html()),
            }
        }
        out
    }

    pub fn children(&self) -> impl Iterator<Item = &GutenbergBlock> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Block(b) => Some(b),
            Piece::Html { .. } => None,
        })
    }
}

/// How deep blocks may nest (columns in groups in columns…).
const MAX_NESTING: usize = 32;

/// Parses Gutenberg's serialized blocks; `None` when the content has no block comments.
pub fn parse_blocks(content: &str) -> Option<Vec<Piece>> {
    if !content.contains("<!-- wp:") {
        return None;
    }
    let root = GutenbergBlock {
        name: String::new(),
        attributes: serde_json::Value::Null,
        pieces: Vec::new(),
        offset: 0,
    };
    let mut stack = vec![root];
    let mut position = 0;
    while let Some(found) = content[position..].find("<!--") {
        let start = position + found;
        if start > position {
            push_html(&mut stack, &content[position..start], position);
        }
        let Some(length) = content[start..].find("-->") else {
            push_html(&mut stack, &content[start..], start);
            position = content.len();
            break;
        };
        let end = start + length + 3;
        let comment = content[start + 4..start + length].trim();
        if let Some(opening) = comment.strip_prefix("wp:") {
            let void = opening.ends_with('/');
            let opening = opening.trim_end_matches('/').trim();
            let (name, attributes) = match opening.find(char::is_whitespace) {
                Some(space) => (
                    &opening[..space],
                    serde_json::from_str(opening[space..].trim()).unwrap_or(serde_json::Value::Null),
                ),
                None => (opening, serde_json::Value::Null),
            };
            let name = if name.contains('/') {
                name.to_owned()
            } else {
                format!("core/{name}")
            };
            let block = GutenbergBlock {
                name,
                attributes,
                pieces: Vec::new(),
                offset: start,
            };
            if void || stack.len() > MAX_NESTING {
                stack.last_mut()?.pieces.push(Piece::Block(block));
            } else {
                stack.push(block);
            }
        } else if comment.starts_with("/wp:") {
            if stack.len() > 1 {
                let done = stack.pop()?;
                stack.last_mut()?.pieces.push(Piece::Block(done));
            }
        } else {
            // An ordinary HTML comment: nothing a reader sees.
        }
        position = end;
    }
    if position < content.len() {
        push_html(&mut stack, &content[position..], position);
    }
    // Blocks left open at the end are closed where the content ends.
    while stack.len() > 1 {
        let done = stack.pop()?;
        stack.last_mut()?.pieces.push(Piece::Block(done));
    }
    Some(stack.pop()?.pieces)
}

fn push_html(stack: &mut [GutenbergBlock], html: &str, offset: usize) {
    if let Some(top) = stack.last_mut() {
        top.pieces.push(Piece::Html {
            html: html.to_owned(),
            offset,
        });
    }
}
