//! The classroom, end to end in the lab: a handout, and a class of students
//! (some of them hostile) graded from it. These need the lab kernel and take
//! minutes, so they are `#[ignore]`d in `cargo test`; `make test-classroom`
//! (part of `make test`) runs them.

use serde_json::Value;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The course's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A scratch folder under target/ (the sandbox has a /tmp of its own, and
/// the class folder must be a real one the sandbox can hide).
fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/classroom-test").join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn course(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_course"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("running course");
    eprintln!(
        "course {}:\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let ok = Command::new(program)
        .current_dir(dir)
        .args(["-c", "user.name=s", "-c", "user.email=s@s"].iter().filter(|_| program == "git"))
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "{program} {args:?} in {}", dir.display());
}

/// A student: a clone of the handout, changed by `edit`, committed.
fn student(handout: &Path, class: &Path, name: &str, edit: impl FnOnce(&Path)) -> PathBuf {
    let dir = class.join(name);
    run(class, "git", &["clone", "-q", handout.to_str().unwrap(), name]);
    edit(&dir);
    run(&dir, "git", &["add", "-A"]);
    run(&dir, "git", &["commit", "-q", "--allow-empty", "-m", "my work"]);
    dir
}

/// Inserts `line` after the hello line of lesson 01's init.
fn after_hello(dir: &Path, line: &str) {
    let path = dir.join("kmods/01-hello/hello.rs");
    let text = fs::read_to_string(&path).unwrap();
    let hello = "pr_info!(\"Hello, kernel! A Rust module is loaded.\\n\");";
    assert!(text.contains(hello));
    fs::write(&path, text.replacen(hello, &format!("{hello}\n        {line}"), 1)).unwrap();
}

fn report(out: &Path, name: &str) -> Value {
    let text = fs::read_to_string(out.join("students").join(name).join("grade.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn lesson(r: &Value, n: u64) -> &Value {
    r["lessons"].as_array().unwrap().iter().find(|l| l["number"] == n).unwrap()
}

fn check<'a>(r: &'a Value, n: u64, name: &str) -> &'a Value {
    lesson(r, n)["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

#[test]
#[ignore = "needs the lab (make test-classroom)"]
fn a_class_with_hostile_students_is_graded_and_nobody_else_is_affected() {
    let base = scratch("class");
    let handout = base.join("handout");
    assert!(course(&["handout", handout.to_str().unwrap()], &[]).status.success());
    // Outside every student's folder: where the hostile build script writes.
    let pwned = base.join("pwned");

    // Class one, lesson 01 only: what intake must take, refuse or ignore.
    let one = base.join("one");
    fs::create_dir_all(&one).unwrap();
    // builder: a build script that would write outside its folder. Intake
    // refuses the tree before anything builds; that the sandbox stops such a
    // script when it does run is tested in course/src/class.rs.
    student(&handout, &one, "builder", |d| {
        let script = format!("fn main() {{ std::fs::write({:?}, \"x\").unwrap(); }}\n", pwned.display().to_string());
        fs::write(d.join("lessons/02-greet/build.rs"), script).unwrap();
    });
    // cheater: a check that passes everything, handed in as a tarball.
    let c = student(&handout, &one, "cheater", |d| {
        let all = "modinfo loads listed hello-logged lessons-ahead unloads goodbye-logged lessons-kept no-oops";
        fs::write(d.join("checks/01-hello/check.sh"), format!(". /lab/lib.sh\nfor c in {all}; do pass $c; done\n"))
            .unwrap();
    });
    run(&one, "tar", &["-czf", "cheater.tar.gz", "cheater"]);
    fs::remove_dir_all(&c).unwrap();
    // starter: nothing done, handed in as a Git bundle.
    let s = student(&handout, &one, "starter-src", |_| {});
    run(&s, "git", &["bundle", "create", "-q", "../starter.bundle", "HEAD", "main"]);
    fs::remove_dir_all(&s).unwrap();
    // typo: a syntax error.
    student(&handout, &one, "typo", |d| after_hello(d, "let x = ;"));

    // Class two, lessons 01 and 02: a kernel panic and a hang, then a
    // student whose lesson 01 is solved, graded after them.
    let two = base.join("two");
    fs::create_dir_all(&two).unwrap();
    student(&handout, &two, "a-hanger", |d| after_hello(d, "while !LESSONS.is_empty() { core::hint::spin_loop(); }"));
    student(&handout, &two, "b-panicker", |d| after_hello(d, "if !LESSONS.is_empty() { panic!(\"student panic\"); }"));
    student(&handout, &two, "c-good", |d| {
        fs::copy(root().join("solutions/kmods/01-hello/hello.rs"), d.join("kmods/01-hello/hello.rs")).unwrap();
    });

    let grade = |class: &Path, lessons: &str, out: &Path| {
        let args = ["grade", "--class", class.to_str().unwrap(), "--lessons", lessons, "--out", out.to_str().unwrap()];
        assert!(course(&args, &[("LAB_JOB_TIMEOUT", "20")]).status.success());
    };
    let (out1, out2) = (base.join("out-one"), base.join("out-two"));
    grade(&one, "1", &out1);
    grade(&two, "1,2", &out2);

    let builder = report(&out1, "builder");
    assert!(builder["student"]["refused"].as_str().unwrap().contains("build script"));
    assert_eq!(lesson(&builder, 1)["status"], "refused");
    assert_eq!(builder["lab_boots"], 0, "nothing of a refused tree runs");
    assert!(!pwned.exists(), "the build script must never run");

    let cheater = report(&out1, "cheater");
    assert_eq!(cheater["points"], 0, "the edited check was not used");
    assert_eq!(check(&cheater, 1, "loads")["passed"], true);
    let ignored = cheater["student"]["ignored"].to_string();
    assert!(ignored.contains("checks/01-hello/check.sh"), "{ignored}");

    let starter = report(&out1, "starter");
    assert_eq!((starter["points"].as_u64(), starter["max_points"].as_u64()), (Some(0), Some(2)));
    assert_eq!(check(&starter, 1, "loads")["passed"], true);
    assert_eq!(check(&starter, 1, "goodbye-logged")["passed"], false);
    assert!(starter["student"]["commit"].as_str().is_some_and(|c| c.len() == 40));

    let typo = report(&out1, "typo");
    assert_eq!(lesson(&typo, 1)["status"], "build-failed");
    assert!(lesson(&typo, 1)["message"].as_str().unwrap().contains("error"));

    let hanger = report(&out2, "a-hanger");
    assert_eq!(lesson(&hanger, 1)["status"], "timed-out");
    assert_eq!(check(&hanger, 2, "loads")["passed"], true, "grading goes on after a hang");

    let panicker = report(&out2, "b-panicker");
    assert_eq!(lesson(&panicker, 1)["status"], "crashed");
    assert!(lesson(&panicker, 1)["message"].as_str().unwrap().contains("student panic"));
    // Grading went on with the next lesson, in a second boot.
    assert_eq!(lesson(&panicker, 2)["status"], "failed");
    assert_eq!(check(&panicker, 2, "loads")["passed"], true);
    assert_eq!(panicker["lab_boots"], 2);

    let good = report(&out2, "c-good");
    assert_eq!((good["points"].as_u64(), good["max_points"].as_u64()), (Some(2), Some(4)));
    assert_eq!(lesson(&good, 1)["status"], "passed");
    assert_eq!(good["lab_boots"], 1, "one boot for all of a student's lessons");
    assert_eq!(check(&good, 2, "loads")["passed"], true);

    // Everyone's JUnit and Classroom reports are there and agree.
    for (out, name, max) in [(&out1, "builder", 2), (&out1, "cheater", 2), (&out1, "starter", 2), (&out1, "typo", 2)]
        .into_iter()
        .chain([(&out2, "a-hanger", 4), (&out2, "b-panicker", 4), (&out2, "c-good", 4)])
    {
        let dir = out.join("students").join(name);
        assert!(fs::read_to_string(dir.join("junit.xml")).unwrap().starts_with("<?xml"));
        let classroom: Value = serde_json::from_str(&fs::read_to_string(dir.join("classroom.json")).unwrap()).unwrap();
        assert_eq!(classroom["max_score"], max);
        let score: u64 = classroom["tests"].as_array().unwrap().iter().map(|t| t["score"].as_u64().unwrap()).sum();
        assert_eq!(score, report(out, name)["points"].as_u64().unwrap());
    }
    let csv = fs::read_to_string(out2.join("class.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("c-good,2,4,,1,1,0,0")), "{csv}");

    // The class page, as a real browser builds it.
    let page = out2.join("class.html").canonicalize().unwrap();
    let dom = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium (lab/setup.sh --browser)");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(dom.matches("<tr class=\"student\">").count(), 3, "one row per student");
    assert_eq!(dom.matches("<th class=\"exercise\"").count(), 4, "one column per exercise");
    assert!(
        dom.contains("<td class=\"name\">c-good</td><td>2/4</td><td class=\"pass\">✓</td><td class=\"pass\">✓</td>")
    );
    assert!(dom.contains("title=\"crashed\""), "a crashed lesson's cells say so");
    assert!(dom.contains("id=\"checks\""), "pass rates per check");
    let page1 = fs::read_to_string(out1.join("class.html")).unwrap();
    assert!(page1.contains("<td class=\"refused\""));
}

#[test]
#[ignore = "needs the lab (make test-classroom)"]
fn a_handout_runs_lesson_01_and_hides_the_solutions() {
    // A fixed place, with its build products kept from the last run: the
    // handout builds its own tool and programs, which takes a minute cold.
    let base = root().join("target/classroom-test/handout");
    let keep = root().join("target/classroom-test/handout-target");
    if base.join("target").exists() {
        fs::rename(base.join("target"), &keep).unwrap();
    }
    if base.exists() {
        fs::remove_dir_all(&base).unwrap();
    }
    assert!(course(&["handout", base.to_str().unwrap()], &[]).status.success());
    if keep.exists() {
        fs::rename(&keep, base.join("target")).unwrap();
    }
    assert!(!base.join("solutions").exists());
    assert!(base.join(".handout").is_file());
    let lesson_toml = fs::read_to_string(base.join("checks/01-hello/lesson.toml")).unwrap();
    assert!(!lesson_toml.contains("[[mutation]]"), "mutations quote the answers");

    let make = |target: &str| {
        let out = Command::new("make")
            .arg("-s")
            .arg(target)
            .current_dir(&base)
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        eprintln!("make {target}:\n{text}");
        (out.status.success(), text)
    };
    let (ok, text) = make("check-1");
    assert!(!ok, "the starter fails its exercise checks");
    assert!(text.contains("PASS  loads") && text.contains("FAIL  goodbye-logged [exercise 1.1]"));
    assert!(text.contains("Next: exercise 1.2"));
    let (ok, text) = make("diff-1");
    assert!(ok && text.contains("not released yet"));
    let (ok, text) = make("gen");
    assert!(!ok && text.contains("handout"));
    let (ok, text) = make("list");
    assert!(ok && text.contains("6/9 checks passed"));
    // make grade, for one lesson: the three reports, the starter's score.
    let out = Command::new("cargo")
        .args(["run", "-q", "-p", "course", "--", "grade", "--lessons", "1"])
        .current_dir(&base)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let grade: Value =
        serde_json::from_str(&fs::read_to_string(base.join("target/grade/grade.json")).unwrap()).unwrap();
    assert_eq!((grade["points"].as_u64(), grade["max_points"].as_u64()), (Some(0), Some(2)));
    assert!(grade["course"].as_str().is_some_and(|c| c.len() >= 40), "the handout's commit");
    assert!(base.join("target/grade/junit.xml").is_file() && base.join("target/grade/classroom.json").is_file());
    let (ok, text) = make("book");
    assert!(ok && text.contains("check out"), "make book in the handout");

    // make watch-1: a check, then another after a save, then q.
    let mut watch = Command::new("make")
        .args(["-s", "watch-1"])
        .current_dir(&base)
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    // If watch never comes back, stop it (its process group) and fail.
    let group = watch.id();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(300));
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{group}")]).status();
    });
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let mut rounds = Vec::new();
    let mut wait_round = |lines: &mut std::io::Lines<BufReader<std::process::ChildStdout>>| {
        for line in lines.by_ref() {
            let line = line.unwrap();
            eprintln!("watch: {line}");
            if line.contains("== make watch-1") {
                rounds.push(line.clone());
            }
            if line.starts_with("Watching ") {
                return;
            }
        }
        panic!("watch ended early");
    };
    wait_round(&mut lines);
    let hello = base.join("kmods/01-hello/hello.rs");
    let text = fs::read_to_string(&hello).unwrap();
    fs::write(&hello, text + "// saved by the test\n").unwrap();
    wait_round(&mut lines);
    watch.stdin.as_mut().unwrap().write_all(b"q").unwrap();
    assert!(watch.wait().unwrap().success());
    assert_eq!(rounds.len(), 2, "{rounds:?}");
    assert!(rounds[1].contains("hello.rs saved"));
}
