/**
 * `docspace-logins completion bash|zsh|fish`: a completion script made from the command tree
 * itself, so a new command or flag completes without anyone editing a script. Commander has no
 * completion of its own.
 */
import type { Command } from 'commander';

export type Shell = 'bash' | 'zsh' | 'fish';

/** One command of the tree: its path from the program, what may follow it, and flag values. */
interface Node {
  path: string;
  subcommands: string[];
  /** Flags, and the choices of a positional argument (report names). */
  words: string[];
  /** Flags that take a value from a fixed list: --format → table json … */
  choices: Array<{ flag: string; values: string[] }>;
  /** Flags that take a value, so the word after them is not a subcommand. */
  valued: string[];
}

function walk(cmd: Command, path: string[], out: Node[]): Node[] {
  const visible = cmd.commands.filter((c) => c.name() !== 'help');
  const flags = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
  const argChoices = cmd.registeredArguments.flatMap((a) => a.argChoices ?? []);
  out.push({
    path: path.join(' '),
    subcommands: visible.map((c) => c.name()),
    words: [...visible.map((c) => c.name()), ...argChoices, ...flags, '--help'],
    choices: cmd.options
      .filter((o) => o.long && o.argChoices?.length)
      .map((o) => ({ flag: o.long!, values: o.argChoices! })),
    valued: cmd.options.filter((o) => o.long && o.required).map((o) => o.long!),
  });
  for (const c of visible) walk(c, [...path, c.name()], out);
  return out;
}

const fnName = (program: string) => `_${program.replace(/[^A-Za-z0-9]/g, '_')}`;
const quoted = (words: readonly string[]) => words.join(' ');

/** Shell code that sets `cmdpath` (not `path`: zsh ties that to PATH) to the subcommands typed so far (shared by bash and zsh). */
function pathFinder(nodes: Node[], words: string, prevIndex: string): string {
  const known = nodes.filter((n) => n.path).map((n) => `"${n.path}"`);
  const valued = [...new Set(nodes.flatMap((n) => n.valued))];
  return `  local cmdpath="" w skip=""
  for w in ${words}; do
    if [[ -n $skip ]]; then skip=""; continue; fi
    case "$w" in
      ${valued.length ? `${valued.join('|')}) skip=1; continue ;;` : ''}
      -*) continue ;;
    esac
    case "\${cmdpath:+$cmdpath }$w" in
      ${known.join('|')}) cmdpath="\${cmdpath:+$cmdpath }$w" ;;
    esac
  done
  local prev=${prevIndex}`;
}

function bash(program: string, nodes: Node[]): string {
  const f = fnName(program);
  const choiceCases = nodes.flatMap((n) =>
    n.choices.map((c) => `    "${n.path}|${c.flag}") opts="${quoted(c.values)}" ;;`),
  );
  const wordCases = nodes.map((n) => `    "${n.path}") opts="${quoted(n.words)}" ;;`);
  return `# bash completion for ${program}: eval "$(${program} completion bash)"
${f}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" opts=""
${pathFinder(nodes, '"${COMP_WORDS[@]:1:COMP_CWORD-1}"', '"${COMP_WORDS[COMP_CWORD-1]}"')}
  case "$cmdpath|$prev" in
${choiceCases.join('\n')}
    *)
      case "$cmdpath" in
${wordCases.map((c) => `  ${c}`).join('\n')}
      esac ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F ${f} ${program}
`;
}

function zsh(program: string, nodes: Node[]): string {
  const f = fnName(program);
  const choiceCases = nodes.flatMap((n) =>
    n.choices.map((c) => `    ("${n.path}|${c.flag}") opts=(${quoted(c.values)}) ;;`),
  );
  const wordCases = nodes.map((n) => `        ("${n.path}") opts=(${quoted(n.words)}) ;;`);
  return `#compdef ${program}
# zsh completion for ${program}: ${program} completion zsh > "\${fpath[1]}/_${program}"
${f}() {
  local -a opts
${pathFinder(nodes, '"${(@)words[2,CURRENT-1]}"', '"${words[CURRENT-1]}"')}
  case "$cmdpath|$prev" in
${choiceCases.join('\n')}
    (*)
      case "$cmdpath" in
${wordCases.join('\n')}
      esac ;;
  esac
  compadd -- "\${opts[@]}"
}
compdef ${f} ${program}
`;
}

function fish(program: string, nodes: Node[]): string {
  const lines = [
    `# fish completion for ${program}: ${program} completion fish > ~/.config/fish/completions/${program}.fish`,
    `complete -c ${program} -f`,
  ];
  for (const n of nodes) {
    const names = n.path ? n.path.split(' ') : [];
    const last = names[names.length - 1];
    // A command's own words complete once its name is typed and none of its subcommands is.
    const cond = n.path
      ? `__fish_seen_subcommand_from ${last}${n.subcommands.length ? `; and not __fish_seen_subcommand_from ${quoted(n.subcommands)}` : ''}`
      : '__fish_use_subcommand';
    if (n.subcommands.length) lines.push(`complete -c ${program} -n '${cond}' -a '${quoted(n.subcommands)}'`);
    const args = n.words.filter((w) => !w.startsWith('-') && !n.subcommands.includes(w));
    if (args.length) lines.push(`complete -c ${program} -n '${cond}' -a '${quoted(args)}'`);
    for (const w of n.words.filter((x) => x.startsWith('--'))) {
      const choice = n.choices.find((c) => c.flag === w);
      const takes = n.valued.includes(w) ? ' -r' : '';
      lines.push(
        `complete -c ${program} -n '${cond}' -l ${w.slice(2)}${takes}${choice ? ` -a '${quoted(choice.values)}'` : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script of `program` for `shell`. */
export function completionScript(program: Command, shell: Shell): string {
  const nodes = walk(program, [], []);
  const name = program.name();
  return shell === 'bash' ? bash(name, nodes) : shell === 'zsh' ? zsh(name, nodes) : fish(name, nodes);
}
