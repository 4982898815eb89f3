//! How much work a post body costs to parse, measured before the sanitizer pays for it.
//!
//! An HTML parser keeps a stack of open elements and, for most tags, walks it looking
//! for an element "in scope": with 40,000 nested `<div>`s every tag walks 40,000
//! entries, so parsing grows with the square of the nesting. The sanitizer, the excerpt
//! and every page that showed such a body paid that again. So a body is parsed once
//! here, in small pieces, by html5ever's own tree builder (so it nests exactly as the
//! sanitizer will see it) into a tree that keeps nothing but each element's depth, and
//! the parser's steps are counted as it goes: every time it reads an element's name or
//! compares two elements is one step. Parsing stops as soon as the body is deeper,
//! larger or more tangled than any editor writes, so the check itself costs at most a
//! small constant per byte.

use std::borrow::Cow;
use std::cell::Cell;
use std::rc::Rc;

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{local_name, ns, parse_fragment, Attribute, ExpandedName, ParseOpts, QualName};

use super::problems::Message;

/// Deeper than any editor nests (Summernote's deepest, a list in a quote in a table
/// cell, is about a dozen), shallow enough that walking the open elements stays cheap.
pub const MAX_DEPTH: u32 = 100;

/// A long article with a large table has a few thousand elements.
pub const MAX_ELEMENTS: u64 = 20_000;

/// Parser steps allowed per byte of the body. Measured: editor output takes about 1,
/// lists nested 30 deep about 7, `<div>`s nested to the depth limit about 10, and 300
/// misnested `<p><b>` pairs (which the parser keeps reopening) 50 and rising. Past this
/// the body is tangled in a way the two limits above do not name, and is refused too.
const STEPS_PER_BYTE: u64 = 200;

/// Text or elements the parser moves out of a table to just before it ("foster
/// parenting": what `<table>text` makes). Each such move walks the table's siblings in
/// the sanitizer's tree, so thousands of them cost the square of their number; an
/// editor writes none, a table pasted from a word processor a handful.
const MAX_FOSTERED: u64 = 1_000;

/// Tiny bodies get this many steps whatever their length.
const MIN_STEPS: u64 = 100_000;

/// Bytes handed to the parser at a time: how far it may run past a limit before it is
/// stopped.
const PIECE: usize = 4096;

/// Why a body was refused; each names what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyTooComplex {
    #[error("The text nests elements more than {MAX_DEPTH} deep: remove some of the nesting (or close the tags you opened).")]
    TooDeep,
    #[error("The text has more than {MAX_ELEMENTS} elements: split it into several posts.")]
    TooManyElements,
    #[error(
        "The text's markup is too tangled to process: close each tag in the order you opened it."
    )]
    TooTangled,
}

impl BodyTooComplex {
    /// The same sentence in the interface's language, for the form.
    pub fn message(&self) -> Message {
        match self {
            Self::TooDeep => Message::from("problems.body_too_deep").with("max", MAX_DEPTH),
            Self::TooManyElements => {
                Message::from("problems.body_too_many_elements").counting(MAX_ELEMENTS)
            }
            Self::TooTangled => "problems.body_too_tangled".into(),
        }
    }
}

/// Refuses a body that nests deeper than `MAX_DEPTH`, has more than `MAX_ELEMENTS`
/// elements, or would take the parser more than a few hundred steps a byte. Linear in
/// the body's length whatever it holds.
pub fn check_body(html: &str) -> Result<(), BodyTooComplex> {
    let meter = Rc::new(Meter::default());
    let sink = Sink {
        document: Rc::new(Node::new(QualName::new(None, ns!(), local_name!("")))),
        meter: Rc::clone(&meter),
    };
    // The same context element as the sanitizer's (ammonia parses into a `<div>`).
    let context = QualName::new(None, ns!(html), local_name!("div"));
    let mut parser = parse_fragment(sink, ParseOpts::default(), context, Vec::new(), false);
    let budget = MIN_STEPS.max(STEPS_PER_BYTE.saturating_mul(html.len() as u64));
    let mut rest = html;
    while !rest.is_empty() {
        let mut end = rest.len().min(PIECE);
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (piece, after) = rest.split_at(end);
        parser.process(StrTendril::from_slice(piece));
        meter.verdict(budget)?;
        rest = after;
    }
    parser.finish();
    meter.verdict(budget)
}

/// What the parser did so far.
#[derive(Default)]
struct Meter {
    steps: Cell<u64>,
    elements: Cell<u64>,
    deepest: Cell<u32>,
    fostered: Cell<u64>,
}

impl Meter {
    fn step(&self) {
        self.steps.set(self.steps.get().saturating_add(1));
    }

    fn verdict(&self, budget: u64) -> Result<(), BodyTooComplex> {
        // The fragment's own `<html>` root is the first level.
        if self.deepest.get() > MAX_DEPTH + 1 {
            Err(BodyTooComplex::TooDeep)
        } else if self.elements.get() > MAX_ELEMENTS {
            Err(BodyTooComplex::TooManyElements)
        } else if self.steps.get() > budget || self.fostered.get() > MAX_FOSTERED {
            Err(BodyTooComplex::TooTangled)
        } else {
            Ok(())
        }
    }
}

/// An element as the meter needs it: its name (the parser asks) and its depth.
struct Node {
    name: QualName,
    depth: Cell<u32>,
}

impl Node {
    fn new(name: QualName) -> Self {
        Self {
            name,
            depth: Cell::new(0),
        }
    }
}

/// A tree that keeps no tree: only depths, counted as nodes are placed. Moves made
/// when the parser repairs misnested tags are not followed into the moved children,
/// so a depth can read low there; the step count still catches what that costs.
struct Sink {
    document: Rc<Node>,
    meter: Rc<Meter>,
}

impl Sink {
    fn place(&self, child: NodeOrText<Rc<Node>>, depth: u32) {
        if let NodeOrText::AppendNode(node) = child {
            node.depth.set(depth);
            if depth > self.meter.deepest.get() {
                self.meter.deepest.set(depth);
            }
        }
    }
}

impl Sink {
    /// A node placed before a sibling (fostered out of a table): the sanitizer's tree
    /// finds that sibling by walking its parent's children, which fostering keeps
    /// adding to, so each move is charged as many steps as there were moves before it.
    fn foster(&self) {
        let fostered = self.meter.fostered.get() + 1;
        self.meter.fostered.set(fostered);
        self.meter
            .steps
            .set(self.meter.steps.get().saturating_add(fostered));
    }
}

impl TreeSink for Sink {
    type Handle = Rc<Node>;
    type Output = ();
    type ElemName<'a> = ExpandedName<'a>;

    fn finish(self) {}

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Rc<Node> {
        Rc::clone(&self.document)
    }

    fn elem_name<'a>(&'a self, target: &'a Rc<Node>) -> ExpandedName<'a> {
        self.meter.step();
        target.name.expanded()
    }

    fn create_element(&self, name: QualName, _: Vec<Attribute>, _: ElementFlags) -> Rc<Node> {
        self.meter.step();
        self.meter.elements.set(self.meter.elements.get() + 1);
        Rc::new(Node::new(name))
    }

    fn create_comment(&self, _: StrTendril) -> Rc<Node> {
        self.meter.step();
        Rc::new(Node::new(QualName::new(None, ns!(), local_name!(""))))
    }

    fn create_pi(&self, _: StrTendril, _: StrTendril) -> Rc<Node> {
        self.create_comment(StrTendril::new())
    }

    fn append(&self, parent: &Rc<Node>, child: NodeOrText<Rc<Node>>) {
        self.meter.step();
        self.place(child, parent.depth.get().saturating_add(1));
    }

    fn append_based_on_parent_node(
        &self,
        element: &Rc<Node>,
        prev_element: &Rc<Node>,
        child: NodeOrText<Rc<Node>>,
    ) {
        // Beside `element` when it has a parent, else in `prev_element`: the deeper.
        // This is how the parser fosters content out of a table.
        self.foster();
        let depth = element
            .depth
            .get()
            .max(prev_element.depth.get().saturating_add(1));
        self.place(child, depth);
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &Rc<Node>) -> Rc<Node> {
        Rc::clone(target)
    }

    fn same_node(&self, x: &Rc<Node>, y: &Rc<Node>) -> bool {
        self.meter.step();
        Rc::ptr_eq(x, y)
    }

    fn set_quirks_mode(&self, _: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Rc<Node>, new_node: NodeOrText<Rc<Node>>) {
        self.foster();
        self.place(new_node, sibling.depth.get());
    }

    fn add_attrs_if_missing(&self, _: &Rc<Node>, _: Vec<Attribute>) {}

    fn remove_from_parent(&self, _: &Rc<Node>) {
        self.meter.step();
    }

    fn reparent_children(&self, _: &Rc<Node>, _: &Rc<Node>) {
        self.meter.step();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_an_editor_writes_passes() {
        let post = r#"<h2>Title</h2><p>Some <b>bold</b> and <i>italic</i> text.</p><ul><li>one<ul><li>two</li></ul></li></ul><blockquote><p>quote</p></blockquote><table><tbody><tr><td><p>cell</p></td></tr></tbody></table><p><img src="/media/a.png" style="width:50%"></p>"#;
        assert_eq!(check_body(&post.repeat(200)), Ok(()));
        assert_eq!(check_body(""), Ok(()));
        assert_eq!(check_body(&"plain text ".repeat(100_000)), Ok(()));
    }

    #[test]
    fn text_moved_out_of_tables_thousands_of_times_is_refused() {
        // The proptest finding: `<table><table>` with text, repeated, cost the
        // sanitizer the square of the repeats (25x the time for 8x the body).
        let block = "<table><table>&amp;&lt;&gt;&quot;&#39;&nbsp;&#0;&#x110000;&bogus;x";
        assert_eq!(
            check_body(&block.repeat(2_500)),
            Err(BodyTooComplex::TooTangled)
        );
        // A stray word in a pasted table is moved out once: fine.
        let pasted = "<table>note<tr><td>a</td></tr></table><p>text</p>";
        assert_eq!(check_body(&pasted.repeat(100)), Ok(()));
    }

    #[test]
    fn nesting_past_the_limit_is_refused() {
        let deep = |n: usize| format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n));
        assert_eq!(check_body(&deep(MAX_DEPTH as usize)), Ok(()));
        assert_eq!(
            check_body(&deep(MAX_DEPTH as usize + 1)),
            Err(BodyTooComplex::TooDeep)
        );
        // Unclosed tags nest too.
        assert_eq!(
            check_body(&"<div>".repeat(40_000)),
            Err(BodyTooComplex::TooDeep)
        );
        assert_eq!(
            check_body(&"<span><b>".repeat(1_000)),
            Err(BodyTooComplex::TooDeep)
        );
    }

    #[test]
    fn too_many_elements_are_refused() {
        let many = "<p>x</p>".repeat(MAX_ELEMENTS as usize + 1);
        assert_eq!(check_body(&many), Err(BodyTooComplex::TooManyElements));
    }

    #[test]
    fn misnested_formatting_tags_cost_little_and_are_refused_when_tangled() {
        // Each `</p>` leaves the `<b>`s open in the parser's list of formatting
        // elements, to be reopened before the next text: the stack grows without a
        // single nested start tag.
        let tangled: String = (0..3000)
            .map(|n| format!("<p><b class=\"c{n}\">x</p>"))
            .collect();
        assert!(check_body(&tangled).is_err());
    }

    #[test]
    fn messages_name_the_limit() {
        assert!(BodyTooComplex::TooDeep.to_string().contains("100 deep"));
        assert_eq!(
            BodyTooComplex::TooManyElements.message().count,
            Some(MAX_ELEMENTS)
        );
    }
}
