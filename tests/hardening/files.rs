//! What faultline writes, and where: only regular files, never through a symlink, nothing
//! left behind by a signal, files written even when stdout is gone, output directories that
//! cannot collide.

use super::{cmd, put, refused, run_in, said, tiny};
use crate::common::{repo, scratch};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Temporary files of atomic writes left anywhere under `dir`.
fn leftovers_under(dir: &Path) -> Vec<String> {
    let mut found = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            found.extend(leftovers_under(&p));
        } else if name.ends_with(".tmp") || name.ends_with(".partial") {
            found.push(p.display().to_string());
        }
    }
    found
}

/// Issue 14, item 1: `--shard-file PATH` writes only regular files; a FIFO, a symlink, a
/// device node or a directory at PATH is refused with exit 2 and left as it was.
#[test]
fn shard_file_refuses_fifos_symlinks_devices_and_directories() {
    let dir = scratch("h-shard-file");
    let sc = put(&dir, "s.ron", &tiny("s", "a"));
    let victim = put(&dir, "victim.txt", "keep");
    let fifo = dir.join("fifo.jsonl");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let link = dir.join("link.jsonl");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let sub = dir.join("a-directory");
    std::fs::create_dir(&sub).unwrap();
    let mut cases = vec![fifo, link, sub];
    // A device node (the machine runs tests as root; elsewhere this case is skipped).
    let dev = dir.join("null-device");
    if Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        cases.push(dev);
    }
    for p in &cases {
        let before = std::fs::symlink_metadata(p).unwrap().file_type();
        let o = run_in(
            &dir,
            &[
                OsStr::new("run"),
                sc.as_os_str(),
                OsStr::new("--shard"),
                OsStr::new("0/1"),
                OsStr::new("--shard-file"),
                p.as_os_str(),
            ],
        );
        let s = refused(&o);
        let name = p.file_name().unwrap().to_string_lossy();
        assert!(s.contains(&*name), "the message names {name}: {s}");
        let after = std::fs::symlink_metadata(p).unwrap().file_type();
        assert_eq!(before, after, "{} was replaced", p.display());
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    assert!(
        leftovers_under(&dir).is_empty(),
        "{:?}",
        leftovers_under(&dir)
    );
    // A regular file is replaced, as before.
    let ok = put(&dir, "ok.jsonl", "old");
    let o = run_in(
        &dir,
        &[
            OsStr::new("run"),
            sc.as_os_str(),
            OsStr::new("--shard"),
            OsStr::new("0/1"),
            OsStr::new("--shard-file"),
            ok.as_os_str(),
        ],
    );
    assert!(o.status.success(), "{}", said(&o));
    assert!(
        std::fs::read_to_string(&ok)
            .unwrap()
            .starts_with("{\"format\"")
    );
}

/// Issue 14, item 2: a symlink planted where a temporary file could be named (the old names
/// were `.NAME.PID-N.tmp`) is never followed: its target keeps its content, and the output
/// is a regular file.
#[test]
fn temp_files_are_unpredictable_and_never_follow_symlinks() {
    let dir = scratch("h-tmp-symlink");
    let victim = put(&dir, "victim.txt", "precious");
    let pid = std::process::id();
    for n in 0..10_000 {
        std::os::unix::fs::symlink(&victim, dir.join(format!(".report.html.{pid}-{n}.tmp")))
            .unwrap();
    }
    let out = dir.join("report.html");
    faultline::output::write(&out, b"<html></html>").unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let meta = std::fs::symlink_metadata(&out).unwrap();
    assert!(meta.file_type().is_file(), "report.html is a regular file");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "<html></html>");
    // Two writes of one name use two different temporary names nobody could list ahead.
    let n = std::fs::read_dir(&dir).unwrap().count();
    faultline::output::write(&out, b"again").unwrap();
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), n);
}

/// Outputs are created like any file a tool writes: 0666 less the umask (not a temporary
/// file's private 0600), so a report can be shared or served.
#[test]
fn outputs_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("h-umask");
    let scenario = repo("scenarios/substation.ron");
    for (umask, mode) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        let o = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_faultline"))
            .arg("run")
            .arg(&scenario)
            .args(["--runs", "20", "-q", "--per-run", "runs.csv"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let meta = std::fs::metadata(dir.join("runs.csv")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, mode, "umask {umask}");
        std::fs::remove_file(dir.join("runs.csv")).unwrap();
    }
}

/// Issue 14, item 4: a scenario path, `--out` and `--shard-file` that are not UTF-8 work
/// (paths are `OsString` end to end).
#[test]
fn non_utf8_arguments_work() {
    let dir = scratch("h-non-utf8");
    let sc = dir.join(OsStr::from_bytes(b"s\xff.ron"));
    std::fs::write(&sc, tiny("s", "a")).unwrap();
    let out = dir.join(OsStr::from_bytes(b"o\xff"));
    for command in ["trace", "compare"] {
        let o = run_in(
            &dir,
            &[
                OsStr::new(command),
                sc.as_os_str(),
                OsStr::new("--out"),
                out.as_os_str(),
                OsStr::new("-q"),
            ],
        );
        assert!(o.status.success(), "{command}: {}", said(&o));
        assert!(!said(&o).contains("panicked"));
    }
    assert!(out.join("postmortem.md").is_file());
    assert!(out.join("report.html").is_file());
    let shard = dir.join(OsStr::from_bytes(b"sh\xff.jsonl"));
    let o = run_in(
        &dir,
        &[
            OsStr::new("run"),
            sc.as_os_str(),
            OsStr::new("--shard"),
            OsStr::new("0/1"),
            OsStr::new("--shard-file"),
            shard.as_os_str(),
        ],
    );
    assert!(o.status.success(), "{}", said(&o));
    let o = run_in(&dir, &[OsStr::new("merge"), shard.as_os_str()]);
    assert!(o.status.success(), "{}", said(&o));
    let o = run_in(&dir, &[OsStr::new("validate"), sc.as_os_str()]);
    assert!(o.status.success(), "{}", said(&o));
}

/// Issue 14, item 8: a closed stdout (`| head`) stops the printing, not the files.
#[test]
fn closed_stdout_pipe_still_writes_the_files() {
    let dir = scratch("h-closed-pipe");
    let substation = repo("scenarios/substation.ron");
    for (command, extra, file) in [
        ("trace", vec!["--run", "3"], "postmortem.md"),
        ("compare", vec!["--runs", "200"], "report.html"),
        (
            "sweep",
            vec!["--runs", "50", "--set", "response.diagnose=1h,3h"],
            "sweep.json",
        ),
    ] {
        let out = dir.join(command);
        let mut child = cmd(&dir)
            .arg(command)
            .arg(&substation)
            .args(&extra)
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Closed before anything is printed: the scenario is still loading.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{command}: {}", said(&o));
        assert!(out.join(file).is_file(), "{command} wrote no {file}");
    }
}

/// Issue 14, item 14: SIGINT or SIGTERM at any moment (during the simulation or while the
/// report and charts are written) leaves no temporary file behind.
#[test]
fn signal_during_a_write_leaves_no_temp_files() {
    let dir = scratch("h-signals");
    let substation = repo("scenarios/substation.ron");
    let spawn = |out: &Path| {
        cmd(&dir)
            .arg("compare")
            .arg(&substation)
            .args(["--runs", "300", "--threads", "1", "-q", "--out"])
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let started = Instant::now();
    let whole = spawn(&dir.join("whole")).wait().unwrap();
    assert!(whole.success());
    let took = started.elapsed();
    let steps = 24;
    for k in 0..steps {
        let out = dir.join(format!("cut-{k}"));
        let mut child = spawn(&out);
        std::thread::sleep(took * k / steps);
        let signal = if k % 2 == 0 { "-INT" } else { "-TERM" };
        let _ = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status();
        let _ = child.wait();
        let left = leftovers_under(&out);
        assert!(
            left.is_empty(),
            "kill {signal} after {:?}: {left:?}",
            took * k / steps
        );
    }
}

/// Issue 14, item 17: `FAULTLINE_OUTPUT=" "` does not create a directory named " ".
#[test]
fn blank_faultline_output_is_not_a_directory() {
    let dir = scratch("h-blank-root");
    let sc = put(&dir, "t.ron", &tiny("t", "a"));
    let o = cmd(&dir)
        .env("FAULTLINE_OUTPUT", " ")
        .args([OsStr::new("trace"), sc.as_os_str(), OsStr::new("-q")])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", said(&o));
    assert!(!dir.join(" ").exists(), "a directory named \" \" was made");
    assert!(dir.join("output/t/trace-run0/postmortem.md").is_file());
}

/// Issue 14, item 17: scenarios named `a/b` and `a_b` did share an output directory; now
/// folders are named after the file, and files `a b.ron` and `a_b.ron` do not share one.
#[test]
fn names_a_slash_b_and_a_underscore_b_get_different_directories() {
    let dir = scratch("h-name-collision");
    for (file, name) in [("a b.ron", "a/b"), ("a_b.ron", "a_b")] {
        let sc = put(&dir, file, &tiny(name, "a"));
        let o = run_in(
            &dir,
            &[OsStr::new("trace"), sc.as_os_str(), OsStr::new("-q")],
        );
        assert!(o.status.success(), "{}", said(&o));
    }
    let dirs: Vec<_> = std::fs::read_dir(dir.join("output")).unwrap().collect();
    assert_eq!(dirs.len(), 2, "{dirs:?}");
}

/// Issue 14, item 17: a 300-character scenario name does not fail after simulating for
/// the whole study; an output directory that cannot be made fails before simulating.
#[test]
fn long_names_and_bad_output_directories_fail_before_simulating() {
    let dir = scratch("h-long-name");
    let long = "n".repeat(300);
    // The folder is named after the file: a stem of 250 characters, plus `trace-run0`.
    let sc = put(&dir, &format!("{}.ron", "f".repeat(250)), &tiny(&long, "a"));
    let o = run_in(
        &dir,
        &[OsStr::new("trace"), sc.as_os_str(), OsStr::new("-q")],
    );
    assert!(o.status.success(), "{}", said(&o));
    let made: Vec<_> = std::fs::read_dir(dir.join("output"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(made.len(), 1);
    assert!(
        made[0].file_name().len() <= 100,
        "{:?}",
        made[0].file_name()
    );
    // A study of a billion runs into a directory that cannot exist: refused at once.
    let started = Instant::now();
    let mut child = cmd(&dir)
        .arg("compare")
        .arg(&sc)
        .args([
            "--runs",
            "1000000000",
            "-q",
            "--out",
            "/proc/faultline-cannot/x",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("compare simulated before finding its output directory unusable");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    assert!(!o.status.success());
    assert!(said(&o).contains("/proc/faultline-cannot"), "{}", said(&o));
}

/// Issue 14, item 17: `--help` (and `--version`) into a full device exits non-zero.
#[test]
fn help_into_dev_full_exits_non_zero() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    for flag in ["--help", "--version"] {
        let st = Command::new(env!("CARGO_BIN_EXE_faultline"))
            .arg(flag)
            .stdout(full.try_clone().unwrap())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(!st.success(), "{flag} into /dev/full exited {st}");
    }
}

/// Issue 14, item 7: `--threads 100000` is capped at what helps, and said once.
#[test]
fn threads_are_capped_at_what_helps() {
    let dir = scratch("h-threads");
    let sc = put(&dir, "t.ron", &tiny("t", "a"));
    let started = Instant::now();
    let mut child = cmd(&dir)
        .arg("run")
        .arg(&sc)
        .args(["--runs", "100", "--threads", "100000"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("--threads 100000 took over 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", said(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("--threads 100000").count(), 1, "{err}");
}
