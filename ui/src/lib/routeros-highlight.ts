// A minimal RouterOS script tokenizer for the job editor's highlighting (pure; the editor renders
// the tokens as text spans, never as HTML). Syntax: help.mikrotik.com/docs/spaces/ROS/pages/47579229
// (Scripting): `#` comments start a line, `"…"` strings with `\` escapes, `$name` variables,
// `:local`-style commands, `/menu path` then a command, `key=value` arguments, `[ … ]` substitution.

export type TokenType = 'comment' | 'string' | 'variable' | 'keyword' | 'path' | 'command' | 'param' | 'number' | 'punct' | 'text';

export interface Token {
  type: TokenType;
  text: string;
}

const COMMANDS = new Set([
  'add', 'set', 'remove', 'print', 'get', 'find', 'enable', 'disable', 'export', 'import', 'edit', 'comment',
  'move', 'reset', 'run', 'unset', 'monitor', 'reboot', 'shutdown', 'fetch', 'ping', 'upgrade', 'install',
  'save', 'load', 'clear', 'flush', 'release', 'renew', 'make-static', 'reset-counters', 'reset-configuration',
]);

const WORD = /[A-Za-z0-9_.-]/;

/** Splits `src` into highlight tokens; concatenating their texts gives `src` back exactly. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let atCommand = true; // start of a line, after `;`, `[` or `{`
  let inPath = false; // between a `/menu` and its command
  const push = (type: TokenType, text: string): void => {
    const last = out[out.length - 1];
    if (last && last.type === type && type === 'text') last.text += text;
    else out.push({ type, text });
  };
  while (i < src.length) {
    const c = src[i] as string;
    const rest = src.slice(i);
    if (c === '\n') {
      push('text', c);
      i++;
      atCommand = true;
      inPath = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      push('text', c);
      i++;
      continue;
    }
    if (c === '#' && atCommand) {
      const end = src.indexOf('\n', i);
      const text = end < 0 ? rest : src.slice(i, end);
      push('comment', text);
      i += text.length;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      const text = src.slice(i, Math.min(j + 1, src.length));
      push('string', text);
      i += text.length;
      atCommand = false;
      continue;
    }
    if (c === '$') {
      const m = /^\$(?:"(?:[^"\\]|\\.)*"?|[A-Za-z0-9_-]*)/.exec(rest);
      const text = m?.[0] ?? c;
      push('variable', text);
      i += text.length;
      atCommand = false;
      continue;
    }
    if ('[]{};()'.includes(c)) {
      push('punct', c);
      i++;
      atCommand = c === '[' || c === '{' || c === ';';
      inPath = false;
      continue;
    }
    if (c === ':' && atCommand) {
      const m = /^:[A-Za-z]+/.exec(rest);
      if (m) {
        push('keyword', m[0]);
        i += m[0].length;
        atCommand = false;
        continue;
      }
    }
    if (c === '/' && atCommand) {
      const m = /^\/[A-Za-z0-9_-]*/.exec(rest) as RegExpExecArray;
      push('path', m[0]);
      i += m[0].length;
      atCommand = false;
      inPath = true;
      continue;
    }
    if (WORD.test(c)) {
      let j = i;
      while (j < src.length && WORD.test(src[j] as string)) j++;
      const word = src.slice(i, j);
      i = j;
      if (src[j] === '=') push('param', word);
      else if (/^\d[\d.:/a-fA-F]*$/.test(word)) push('number', word);
      else if (inPath && COMMANDS.has(word)) {
        push('command', word);
        inPath = false;
      } else if (inPath) push('path', word);
      else if (atCommand && COMMANDS.has(word)) push('command', word);
      else push('text', word);
      atCommand = false;
      continue;
    }
    push('text', c);
    i++;
    if (c === '=') inPath = false;
  }
  return out;
}
