//! Line and column of a JSON pointer in a YAML spec, for messages that point into the file.
//!
//! serde_yaml forgets positions once a document is parsed, so the spec is read a second time
//! with an event parser that reports where each node starts. A mapping entry is located at its
//! key, which is the line a reader looks for.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser};

use crate::spec::escape;

/// Where the nodes of one YAML document start, by JSON pointer.
#[derive(Debug, Clone, Default)]
pub struct Locations {
    starts: HashMap<String, (usize, usize)>,
}

enum Frame {
    Map {
        pointer: String,
        key: Option<String>,
    },
    Seq {
        pointer: String,
        next: usize,
    },
}

impl Locations {
    /// Indexes `text`; a document the event parser rejects yields no locations rather than
    /// an error, because the caller has already parsed it (or reported why it could not).
    pub fn of(text: &str) -> Self {
        let mut starts = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(text) {
            let Ok((event, span)) = event else {
                break;
            };
            let at = (span.start.line(), span.start.col() + 1);
            let starts_node = matches!(
                event,
                Event::Scalar(..)
                    | Event::SequenceStart(..)
                    | Event::MappingStart(..)
                    | Event::Alias(..)
            );
            if starts_node {
                let pointer = match stack.last_mut() {
                    None => {
                        starts.entry(String::new()).or_insert(at);
                        Some(String::new())
                    }
                    Some(Frame::Map { pointer, key }) => match key.take() {
                        None => {
                            // A key: the entry's position is the key's.
                            if let Event::Scalar(name, ..) = &event {
                                let child = format!("{pointer}/{}", escape(name));
                                starts.entry(child).or_insert(at);
                                *key = Some(name.to_string());
                            } else {
                                // Complex keys do not occur in OpenAPI; keep the stack honest.
                                *key = Some(String::new());
                            }
                            None
                        }
                        Some(name) => Some(format!("{pointer}/{}", escape(&name))),
                    },
                    Some(Frame::Seq { pointer, next }) => {
                        let child = format!("{pointer}/{next}");
                        *next += 1;
                        starts.entry(child.clone()).or_insert(at);
                        Some(child)
                    }
                };
                match (event, pointer) {
                    (Event::MappingStart(..), Some(pointer)) => {
                        stack.push(Frame::Map { pointer, key: None })
                    }
                    (Event::SequenceStart(..), Some(pointer)) => {
                        stack.push(Frame::Seq { pointer, next: 0 })
                    }
                    // A complex key's own container: track it so its end pops the right frame.
                    (Event::MappingStart(..), None) => stack.push(Frame::Map {
                        pointer: String::from("\u{0}"),
                        key: None,
                    }),
                    (Event::SequenceStart(..), None) => stack.push(Frame::Seq {
                        pointer: String::from("\u{0}"),
                        next: 0,
                    }),
                    _ => {}
                }
            } else if matches!(event, Event::MappingEnd | Event::SequenceEnd) {
                stack.pop();
            }
        }
        Self { starts }
    }

    /// `(line, column)`, both from 1, of the node at `pointer` (a mapping entry: of its key).
    pub fn get(&self, pointer: &str) -> Option<(usize, usize)> {
        self.starts.get(pointer).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_items_and_escaped_segments() {
        let text = "openapi: 3.0.3\npaths:\n  /v2/users:\n    get:\n      tags:\n        - users\n        - admin\n";
        let at = Locations::of(text);
        assert_eq!(at.get(""), Some((1, 1)));
        assert_eq!(at.get("/openapi"), Some((1, 1)));
        assert_eq!(at.get("/paths/~1v2~1users"), Some((3, 3)));
        assert_eq!(at.get("/paths/~1v2~1users/get/tags/1"), Some((7, 11)));
        assert_eq!(at.get("/paths/~1v2~1users/post"), None);
    }
}
