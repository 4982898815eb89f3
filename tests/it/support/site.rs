//! A blog folder and the environment every command gets: `Site` runs `blog ARGS` in it
//! (to completion, with a deadline, or on a pseudo-terminal) and answers an `Output`.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;

use tempfile::TempDir;

use super::{PATIENCE, SECRET_KEY};

/// A blog folder (the current directory of every command) and the environment they run with.
pub struct Site {
    dir: TempDir,
    env: Vec<(String, String)>,
}

impl Site {
    /// A fresh empty folder; fixed secret key, cheap bcrypt.
    pub fn new() -> Self {
        Site {
            dir: tempfile::tempdir().expect("a temporary folder for the blog"),
            env: vec![
                ("BLOG_SECRET_KEY".into(), SECRET_KEY.into()),
                ("BLOG_ACCOUNTS_BCRYPT_COST".into(), "4".into()),
            ],
        }
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn open_registration(self) -> Self {
        self.env("BLOG_ACCOUNTS_OPEN_REGISTRATION", "true")
    }

    /// Lets the server find (or make) its own key in `blog-data/secret.key`.
    pub fn without_secret_key(mut self) -> Self {
        self.env.retain(|(k, _)| k != "BLOG_SECRET_KEY");
        self
    }

    /// Writes `blog.toml` in the folder.
    pub fn config(self, text: &str) -> Self {
        std::fs::write(self.path().join("blog.toml"), text).expect("write blog.toml");
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(super) fn command(&self, args: &[&str]) -> Command {
        self.command_with(args, &[])
    }

    /// A command with some variables added to (or replacing) the site's.
    fn command_with(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Command {
        self.program_with(env!("CARGO_BIN_EXE_blog"), args, extra_env)
    }

    /// Runs `blog ARGS` on a pseudo-terminal (util-linux `script`), as someone at a
    /// shell would: what it draws only for terminals (progress bars) is in the output,
    /// stdout and stderr together, as the terminal showed them.
    pub fn run_on_terminal(&self, args: &[&str]) -> String {
        let line = std::iter::once(env!("CARGO_BIN_EXE_blog"))
            .chain(args.iter().copied())
            .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
            .collect::<Vec<_>>()
            .join(" ");
        let output = self
            .program_with("script", &["-qec", &line, "/dev/null"], &[])
            .stdin(Stdio::null())
            .output()
            .expect("util-linux `script` runs");
        assert!(
            output.status.success(),
            "`blog {}` on a terminal: {output:?}",
            args.join(" ")
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Another program, in the folder with the site's environment.
    pub(super) fn program(&self, program: &str, args: &[&str]) -> Command {
        self.program_with(program, args, &[])
    }

    fn program_with(&self, program: &str, args: &[&str], extra_env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args).current_dir(self.path());
        // Only what the test sets: nothing leaks in from the developer's shell.
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("BLOG_")) {
            cmd.env_remove(key);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.envs(extra_env.iter().copied());
        cmd
    }

    /// Runs `blog ARGS` to completion (killed, and the test failed, if it hangs).
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        self.run_full(args, stdin, &[])
    }

    /// `run` with extra environment variables, for one command only.
    pub fn run_env(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        self.run_full(args, "", extra_env)
    }

    fn run_full(&self, args: &[&str], stdin: &str, extra_env: &[(&str, &str)]) -> Output {
        let mut child = self
            .command_with(args, extra_env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the blog binary runs");
        let mut input = child.stdin.take().expect("stdin is piped");
        let stdin = stdin.to_owned();
        // A writer thread, so a command that never reads its stdin cannot block us.
        let writer = thread::spawn(move || {
            let _ = input.write_all(stdin.as_bytes());
        });
        let stdout = drain(child.stdout.take().expect("stdout is piped"));
        let stderr = drain(child.stderr.take().expect("stderr is piped"));
        let pid = child.id();
        let exited = waiter(child);
        let status = match exited.recv_timeout(PATIENCE) {
            Ok(status) => status,
            Err(_) => {
                signal(pid, "KILL");
                panic!("`blog {}` did not exit within {PATIENCE:?}", args.join(" "));
            }
        };
        let _ = writer.join();
        Output {
            status,
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
        }
    }
}

/// What a finished command left behind.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Panics with the command's stderr unless it exited 0.
    pub fn success(self) -> Self {
        assert!(
            self.status.success(),
            "exit {:?}, stderr: {}",
            self.status,
            self.stderr
        );
        self
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Waits for the child on a thread of its own, so the test can wait with a deadline.
pub(super) fn waiter(mut child: Child) -> Receiver<ExitStatus> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let status = child.wait().expect("wait for the blog process");
        let _ = tx.send(status);
    });
    rx
}

/// Signals every process of the group `pid` leads.
pub(super) fn signal_group(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{name}"), "--", &format!("-{pid}")])
        .status();
}

pub(super) fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status();
}
