//! `skuld rules` and `skuld explain RULE`: the rule registry, rendered by `report::rules`.

use super::*;

pub(super) fn rules(
    args: &PolicyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let Some(policy) = policy_or_report(args, "no rule was listed", stderr)? else {
        return Ok(ExitStatus::Error);
    };
    let out = report::rules::table(&policy.registry());
    // Policy files come with the pull request: their text must not steer a CI runner.
    report::neutral::write(stdout, &out, INERT_TEXT)?;
    Ok(ExitStatus::Clean)
}

pub(super) fn explain(
    id: &str,
    args: &PolicyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let Some(policy) = policy_or_report(args, "no rule was explained", stderr)? else {
        return Ok(ExitStatus::Error);
    };
    let out = match policy.registry().lookup(id) {
        Ok(rule) => report::rules::explain(rule),
        Err(unknown) => {
            let e = UnknownRule {
                id: id.to_owned(),
                help: unknown.help("`skuld rules` lists the rules"),
            };
            print_errors(&Diagnostics::single(e), human::Style::plain(), stderr)?;
            return Ok(ExitStatus::Error);
        }
    };
    report::neutral::write(stdout, &out, INERT_TEXT)?;
    Ok(ExitStatus::Clean)
}

const INERT_TEXT: report::neutral::Syntax = report::neutral::Syntax::Text;
