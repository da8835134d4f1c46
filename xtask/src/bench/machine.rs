//! The machine a benchmark ran on: cores, memory, OS and toolchain.

use std::process::Command;

use crate::project::Project;

/// A Markdown list describing this machine.
pub fn describe(project: &Project) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{:.1} GiB", kib / 1024.0 / 1024.0))
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|release| {
            release
                .lines()
                .find_map(|l| Some(l.strip_prefix("PRETTY_NAME=")?.trim_matches('"').to_owned()))
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    let kernel = output(project, "uname", &["-r"]);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                Some(
                    l.strip_prefix("model name")?
                        .trim_start_matches([' ', '\t', ':'])
                        .to_owned(),
                )
            })
        })
        .unwrap_or_else(|| "unknown".to_owned());
    format!(
        "- Cores: {cores} ({cpu})\n- Memory: {memory}\n- OS: {os} (kernel {kernel})\n\
         - Toolchain: {}, {}\n",
        output(project, "rustc", &["-V"]),
        output(project, &super::cargo(), &["-V"]),
    )
}

fn output(project: &Project, program: &str, args: &[&str]) -> String {
    Command::new(program)
        .current_dir(project.root())
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "unknown".to_owned(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        )
}
