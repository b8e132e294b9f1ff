/**
 * A small, safe Markdown subset for the privacy policy: headings, paragraphs, lists, **bold**,
 * `code` and [links](https://...). It builds preact elements, so every character of the text
 * is escaped when rendered; no HTML in the source is ever passed through, and a link whose
 * target is not http(s) or a path on this server is shown as plain text.
 */
import type { ComponentChildren, VNode } from 'preact';

type Block = { kind: 'h'; level: 1 | 2 | 3; text: string } | { kind: 'p'; text: string } | { kind: 'ul' | 'ol'; items: string[] };

export function parseBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  let para: string[] = [];
  let list: { kind: 'ul' | 'ol'; items: string[] } | null = null;
  const flush = () => {
    if (para.length) blocks.push({ kind: 'p', text: para.join(' ') });
    para = [];
    if (list) blocks.push(list);
    list = null;
  };
  for (const raw of source.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+\.\s+(.*)$/.exec(line);
    if (!line.trim()) {
      flush();
    } else if (heading) {
      flush();
      blocks.push({ kind: 'h', level: heading[1]!.length as 1 | 2 | 3, text: heading[2]! });
    } else if (bullet || numbered) {
      const kind = bullet ? 'ul' : 'ol';
      if (para.length || (list && list.kind !== kind)) flush();
      list ??= { kind, items: [] };
      list.items.push((bullet ?? numbered)![1]!);
    } else if (list && /^\s{2,}\S/.test(raw)) {
      // An indented line continues the list item above it.
      list.items[list.items.length - 1] += ` ${line.trim()}`;
    } else {
      if (list) flush();
      para.push(line.trim());
    }
  }
  flush();
  return blocks;
}

function safeHref(href: string): string | null {
  if (/^https?:\/\/[^\s]+$/i.test(href)) return href;
  if (/^\/(?!\/)[^\s]*$/.test(href)) return href;
  return null;
}

/** Inline spans: `code`, **bold**, [text](href); everything else is text. */
export function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<code>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong>{inline(m[2])}</strong>);
    else {
      const href = safeHref(m[4]!);
      out.push(href ? <a href={href}>{m[3]}</a> : m[3]);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function Markdown({ source }: { source: string }): VNode {
  return (
    <>
      {parseBlocks(source).map((b) => {
        switch (b.kind) {
          case 'h':
            return b.level === 1 ? <h1>{inline(b.text)}</h1> : b.level === 2 ? <h2>{inline(b.text)}</h2> : <h3>{inline(b.text)}</h3>;
          case 'p':
            return <p>{inline(b.text)}</p>;
          case 'ul':
            return (
              <ul>
                {b.items.map((i) => (
                  <li>{inline(i)}</li>
                ))}
              </ul>
            );
          case 'ol':
            return (
              <ol>
                {b.items.map((i) => (
                  <li>{inline(i)}</li>
                ))}
              </ol>
            );
        }
      })}
    </>
  );
}
