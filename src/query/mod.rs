//! From query text to a normalised operation: parse and validate against the
//! composed schema (`request`), then collect fields through fragments and
//! directives, with arguments resolved against the variables (`normalize`), over the
//! one selection walk the crate has (`walk`). The document's depth and expanded size
//! are bounded first (`limits`). An insert's rows in a variable are read where they lie
//! (`bulk`).

pub mod bulk;
pub mod limits;
pub mod normalize;
pub mod request;
pub mod walk;
