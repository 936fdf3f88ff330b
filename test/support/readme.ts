/** The `curl` examples of a Markdown file, each with the status its `# → NNN` comment promises. */

export interface CurlExample {
  /** 1-based line of the README where the command starts. */
  line: number;
  command: string;
  status: number;
}

const STATUS = /\s+#\s*→\s*(\d{3})\b.*$/;

export function curlExamples(markdown: string): CurlExample[] {
  const examples: CurlExample[] = [];
  let fenced = false;
  let pending: { line: number; text: string } | undefined;
  markdown.split('\n').forEach((raw, i) => {
    if (/^```/.test(raw)) {
      fenced = raw.startsWith('```bash') && !fenced;
      return;
    }
    if (!fenced) return;
    const text = pending ? `${pending.text} ${raw.trim()}` : raw;
    const start = pending?.line ?? i + 1;
    if (text.endsWith('\\')) {
      pending = { line: start, text: text.slice(0, -1).trimEnd() };
      return;
    }
    pending = undefined;
    if (!text.startsWith('curl ')) return;
    const status = STATUS.exec(text);
    if (!status) throw new Error(`README line ${start}: a curl example without its "# → status": ${text}`);
    examples.push({ line: start, command: text.replace(STATUS, ''), status: Number(status[1]) });
  });
  return examples;
}
