//! Limits on the shape of a document, checked after parsing and before validation:
//! how deep fields nest (`graphql.max_query_depth`) and how many fields the document
//! stands for once every fragment is inlined (`graphql.max_query_fields`).
//!
//! Both are computed over the AST with each fragment's figures memoised, so a small
//! document that expands exponentially (a fragment spreading the next one twice, thirty
//! times over) is measured in time linear in its size and refused before anything is
//! inlined. A fragment cycle counts as nothing here; validation rejects it right after.

use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::{ExecutableDocument, Node};
use std::collections::{HashMap, HashSet};

use crate::error::{code, GraphqlError, PathSegment};

/// Depth and expanded field count of a selection set (saturating).
#[derive(Clone, Copy, Default)]
struct Shape {
    depth: usize,
    fields: usize,
}

enum Memo {
    InProgress,
    Done(Shape),
}

struct Measure<'a> {
    document: &'a ExecutableDocument,
    fragments: HashMap<&'a str, Memo>,
    entered: HashSet<(&'a str, usize)>,
    /// Selection sets entered and not yet left: fragments may chain without bound,
    /// and this walk must not overflow the backend's stack.
    nesting: usize,
}

/// Beyond this many nested selection sets (fields, fragments and inline fragments
/// together) a document counts as infinitely deep. The parser stops field nesting at
/// 500; this bounds chains of fragments.
const MAX_NESTING: usize = 2_000;
const UNBOUNDED: Shape = Shape { depth: usize::MAX, fields: usize::MAX };

impl<'a> Measure<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> Shape {
        if self.nesting >= MAX_NESTING {
            return UNBOUNDED;
        }
        self.nesting += 1;
        let shape = self.selection_set_inner(set);
        self.nesting -= 1;
        shape
    }

    fn selection_set_inner(&mut self, set: &'a SelectionSet) -> Shape {
        let mut shape = Shape::default();
        // As field collection does, a fragment spread twice in one selection set adds
        // its fields once.
        let mut spread = HashSet::new();
        for selection in &set.selections {
            if let Selection::FragmentSpread(s) = selection {
                if !spread.insert(s.fragment_name.as_str()) {
                    continue;
                }
            }
            let inner = match selection {
                Selection::Field(field) => {
                    let sub = self.selection_set(&field.selection_set);
                    Shape { depth: sub.depth.saturating_add(1), fields: sub.fields.saturating_add(1) }
                }
                Selection::FragmentSpread(spread) => self.fragment(spread.fragment_name.as_str()),
                Selection::InlineFragment(inline) => self.selection_set(&inline.selection_set),
            };
            shape.depth = shape.depth.max(inner.depth);
            shape.fields = shape.fields.saturating_add(inner.fields);
        }
        shape
    }

    fn fragment(&mut self, name: &'a str) -> Shape {
        match self.fragments.get(name) {
            Some(Memo::Done(shape)) => return *shape,
            // A cycle: validation reports it; it adds nothing here.
            Some(Memo::InProgress) => return Shape::default(),
            None => {}
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            return Shape::default();
        };
        self.fragments.insert(name, Memo::InProgress);
        let shape = self.selection_set(&fragment.selection_set);
        self.fragments.insert(name, Memo::Done(shape));
        shape
    }

    /// The response path to the first field nested deeper than `limit`.
    fn deep_path(&mut self, set: &'a SelectionSet, limit: usize, path: &mut Vec<&'a Node<Field>>) -> bool {
        if self.nesting >= MAX_NESTING {
            return true;
        }
        self.nesting += 1;
        let found = self.deep_path_inner(set, limit, path);
        self.nesting -= 1;
        found
    }

    fn deep_path_inner(&mut self, set: &'a SelectionSet, limit: usize, path: &mut Vec<&'a Node<Field>>) -> bool {
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    path.push(field);
                    if path.len() > limit {
                        return true;
                    }
                    if self.selection_set(&field.selection_set).depth.saturating_add(path.len()) > limit
                        && self.deep_path(&field.selection_set, limit, path)
                    {
                        return true;
                    }
                    path.pop();
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.fragment_name.as_str();
                    // (fragment, depth) once only: a cycle of spreads with no field
                    // between them would otherwise recurse for ever.
                    if self.fragment(name).depth.saturating_add(path.len()) > limit && self.entered.insert((name, path.len())) {
                        if let Some(fragment) = self.document.fragments.get(name) {
                            if self.deep_path(&fragment.selection_set, limit, path) {
                                return true;
                            }
                        }
                    }
                }
                Selection::InlineFragment(inline) => {
                    if self.deep_path(&inline.selection_set, limit, path) {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// Checks every operation of `document` against the limits (0 = no limit).
pub fn check(document: &ExecutableDocument, max_depth: usize, max_fields: usize) -> Result<(), GraphqlError> {
    let mut measure = Measure { document, fragments: HashMap::new(), entered: HashSet::new(), nesting: 0 };
    for operation in document.operations.iter() {
        let shape = measure.selection_set(&operation.selection_set);
        if max_depth > 0 && shape.depth > max_depth {
            let mut path = Vec::new();
            measure.deep_path(&operation.selection_set, max_depth, &mut path);
            let mut error = GraphqlError::new(
                code::VALIDATION_FAILED,
                format!("the query is nested deeper than graphql.max_query_depth ({max_depth}) allows"),
            );
            error.path = path.iter().map(|f| PathSegment::Key(f.response_key().to_string())).collect();
            if let Some(lc) = path.last().and_then(|f| f.location()).and_then(|l| l.line_column(&document.sources)) {
                error.locations = vec![(lc.line, lc.column)];
            }
            return Err(error);
        }
        if max_fields > 0 && shape.fields > max_fields {
            let mut error = GraphqlError::new(
                code::VALIDATION_FAILED,
                format!(
                    "the query selects {} fields once its fragments are inlined; graphql.max_query_fields allows {max_fields}",
                    if shape.fields == usize::MAX { "too many".to_string() } else { shape.fields.to_string() }
                ),
            );
            if let Some(lc) = operation.location().and_then(|l| l.line_column(&document.sources)) {
                error.locations = vec![(lc.line, lc.column)];
            }
            return Err(error);
        }
    }
    Ok(())
}

/// Deepest nesting of `{`, `[` and `(` (selection sets, lists, input objects and
/// argument lists together) accepted in the text of a document. The parser stops at
/// about 500 levels, and the partial document it leaves behind yields one error per
/// remaining token; a scan of the text refuses such a document for a few
/// microseconds per kilobyte instead.
pub const MAX_BRACKET_NESTING: usize = 400;

/// Checks the bracket nesting of `query` (outside strings and comments).
pub fn check_text(query: &str) -> Result<(), GraphqlError> {
    let bytes = query.as_bytes();
    let (mut depth, mut line, mut line_start, mut i) = (0usize, 1usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    if bytes[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                        continue;
                    }
                    if bytes[i] == b'\n' {
                        line += 1;
                        line_start = i + 1;
                    }
                    i += 1;
                }
                i += 3;
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                continue;
            }
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_BRACKET_NESTING {
                    let column = query[line_start..i].chars().count() + 1;
                    let mut error = GraphqlError::new(
                        code::PARSE_FAILED,
                        format!("the query nests brackets deeper than {MAX_BRACKET_NESTING} levels"),
                    );
                    error.locations = vec![(line, column)];
                    return Err(error);
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}
