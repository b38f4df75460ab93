use std::path::Path;

use super::*;

fn compile(source: &str) -> Result<ScriptProgram, ScriptError> {
    ScriptProgram::compile(Path::new("s.rhai"), source, ScriptLimits::default())
}

fn compile_error(source: &str) -> ScriptError {
    compile(source).expect_err("the script should not compile")
}

/// Runs `source` in a sandboxed engine with small limits; the error as a user sees it.
fn run_error(source: &str) -> String {
    let limits = ScriptLimits {
        max_operations: 10_000,
        max_call_levels: 16,
        max_string_size: 1_000,
        max_array_size: 1_000,
        ..ScriptLimits::default()
    };
    let engine = build_engine(&limits, "test");
    let error = match engine.compile(source) {
        Err(e) => return ScriptError::parse(Path::new("s.rhai"), &e).to_string(),
        Ok(ast) => engine.run_ast(&ast).expect_err("the script should fail"),
    };
    ScriptError::runtime(Path::new("s.rhai"), &error, &limits, None).to_string()
}

#[test]
fn a_script_with_a_data_hook_compiles() {
    let program = compile("fn on_bar(ctx, bar) { let x = bar.close; }").unwrap();
    assert!(program.defines("on_bar"));
    assert!(!program.defines("on_start"));
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let e = compile_error("fn on_bar(ctx, bar) {\n    let x = ;\n}");
    assert_eq!((e.line, e.column), (Some(2), Some(13)), "{e}");
    assert!(
        e.to_string().starts_with("s.rhai:2:13: syntax error"),
        "{e}"
    );
}

#[test]
fn import_and_eval_are_refused_at_compile_time() {
    for (source, symbol) in [
        ("import \"os\" as os;\nfn on_bar(ctx, bar) {}", "import"),
        ("fn on_bar(ctx, bar) { eval(\"1\"); }", "eval"),
    ] {
        let e = compile_error(source);
        assert!(
            e.message.contains(&format!("'{symbol}' is not allowed")),
            "{e}"
        );
        assert!(e.line.is_some());
    }
}

#[test]
fn unknown_hooks_get_a_suggestion() {
    let e = compile_error("fn on_bars(ctx, bar) {}");
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("unknown hook 'on_bars'"), "{e}");
    assert!(e.message.contains("did you mean 'on_bar'?"), "{e}");
    let e = compile_error("fn on_bar(ctx, bar) {}\nfn on_order_filed(ctx, e) {}");
    assert!(e.message.contains("did you mean 'on_order_filled'?"), "{e}");
    assert_eq!(e.line, Some(2));
}

#[test]
fn hooks_need_their_parameters() {
    let e = compile_error("fn on_bar(bar) {}");
    assert!(e.message.contains("on_bar takes (ctx, bar)"), "{e}");
}

#[test]
fn a_script_needs_a_data_hook() {
    let e = compile_error("fn on_start(ctx) {}");
    assert!(e.message.contains("no data hook"), "{e}");
    assert_eq!(e.line, None);
}

#[test]
fn helper_functions_are_not_hooks() {
    compile("fn signal(x) { x > 1 }\nfn on_bar(ctx, bar) { signal(2); }").unwrap();
}

#[test]
fn runaway_scripts_trip_the_named_limit() {
    let cases = [
        (
            "loop { }",
            "operation limit reached (max_operations = 10000)",
        ),
        (
            "fn f(n) { f(n + 1) }\nf(0);",
            "call depth limit reached (max_call_levels = 16)",
        ),
        (
            "let s = \"x\"; loop { s += s; }",
            "over the limit (max_string_size = 1000)",
        ),
        (
            "let a = []; loop { a.push(1); }",
            "over the limit (max_array_size = 1000)",
        ),
    ];
    for (source, reason) in cases {
        let message = run_error(source);
        assert!(message.contains(reason), "{source}: {message}");
        assert!(message.starts_with("s.rhai:"), "{message}");
    }
}

#[test]
fn no_clock_files_or_network() {
    for call in [
        "timestamp()",
        "open_file(\"/etc/passwd\")",
        "http_get(\"http://example.com\")",
    ] {
        let message = run_error(&format!("{call};"));
        assert!(message.contains("function not found"), "{call}: {message}");
        assert!(
            message.contains("no file, network or clock access"),
            "{call}: {message}"
        );
    }
}

#[test]
fn every_hook_is_documented_and_every_documented_hook_exists() {
    let docs = include_str!("../../../docs/scripting.md");
    for hook in HOOKS {
        assert!(
            docs.contains(&format!("`{}(", hook.name)),
            "{} is not in docs/scripting.md",
            hook.name
        );
    }
}

/// The `ctx` methods listed in the API table of docs/scripting.md.
fn documented_methods(docs: &str) -> Vec<String> {
    let start = docs.find("## The `ctx` API").unwrap();
    let end = docs[start..].find("### Orders").unwrap() + start;
    let mut names: Vec<String> = docs[start..end]
        .split("`ctx.")
        .skip(1)
        .filter_map(|rest| rest.split('(').next())
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_documented_ctx_methods_are_exactly_the_registered_ones() {
    let docs = include_str!("../../../docs/scripting.md");
    let mut registered: Vec<String> = ctx_methods().iter().map(|s| (*s).to_string()).collect();
    registered.sort();
    assert_eq!(documented_methods(docs), registered);
}

#[test]
fn every_snippet_in_the_docs_is_part_of_an_example_script() {
    let docs = include_str!("../../../docs/scripting.md");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("strategies");
    let scripts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let snippets: Vec<&str> = docs
        .split("```rhai\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert!(snippets.len() >= 4);
    for snippet in snippets {
        assert!(
            scripts.iter().any(|s| s.contains(snippet)),
            "not in any strategies/*.rhai:\n{snippet}"
        );
    }
}

#[test]
fn a_script_handles_order_events_only_with_an_order_hook() {
    let bar_only = "fn on_bar(ctx, bar) {}";
    assert!(!compile(bar_only).unwrap().handles_order_events);
    let fills_only = "fn on_bar(ctx, bar) {}\nfn on_order_filled(ctx, event) {}";
    assert!(
        !compile(fills_only).unwrap().handles_order_events,
        "fills have their own hook"
    );
    for hook in ["on_order_event", "on_order_canceled", "on_order_accepted"] {
        let source = format!("fn on_bar(ctx, bar) {{}}\nfn {hook}(ctx, event) {{}}");
        assert!(compile(&source).unwrap().handles_order_events, "{hook}");
    }
}
