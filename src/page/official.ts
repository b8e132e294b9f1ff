/**
 * Posts by X's official accounts in one API answer, reduced to eight raw fields each: [rest_id,
 * author id, handle, created_at, text, lang, conversation_id_str, in_reply_to_status_id_str].
 * A post object is one with `legacy` and `core.user_results.result`; only those whose author id
 * is in the official list (shared/official-accounts.ts) are taken, retweets excepted (their text
 * is someone else's; the retweeted post is looked at on its own). Nothing else of the answer is
 * copied. Kept tiny (it ships in the page hook); the background checks every field again.
 * A text answer is parsed only when it names an official id at all; the walk is bounded in nodes,
 * and in depth by the stack (a hostile nesting throws, which ends the walk quietly).
 */
import { OFFICIAL_USER_IDS } from '../shared/official-accounts.ts';
import { MAX_BODY_BYTES } from './read-body.ts';

export type RawPost = unknown[];

export function officialPosts(body: unknown): RawPost[] {
  const out: RawPost[] = [];
  let nodes = 2e5;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- X's JSON, read defensively
  const walk = (v: any) => {
    if (!v || typeof v != 'object' || --nodes < 0) return;
    const u = v.core?.user_results?.result;
    const l = v.legacy;
    if (l && u && OFFICIAL_USER_IDS.includes(u.rest_id)) {
      out.push([v.rest_id, u.rest_id, u.core?.screen_name ?? u.legacy?.screen_name, l.created_at, l.full_text, l.lang, l.conversation_id_str, l.in_reply_to_status_id_str]);
    }
    for (const k in v) walk(v[k]);
  };
  try {
    walk(typeof body == 'string' ? body.length <= MAX_BODY_BYTES && OFFICIAL_USER_IDS.some((id) => body.includes(`"${id}"`)) && JSON.parse(body) : body);
  } catch {
    /* not JSON, or hostile: nothing */
  }
  return out;
}
