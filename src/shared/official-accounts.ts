/**
 * X's official accounts, by numeric user id (handles change: @TwitterSupport became @Support).
 * The one list the page hook, the background and the server check a post's author against:
 * only posts by these ids are ever extracted, kept or published as sightings.
 *
 * Sources (public material read through the project's search tools, 2026-12-05):
 * - 783214 @X (was @Twitter), 95731075 @Safety (was @TwitterSafety), 17874544 @Support (was
 *   @TwitterSupport), 1526228120 @XData (was @TwitterData): the X API v2 documentation's sample
 *   answer of GET /2/users/2244994945/following (the accounts @TwitterDev follows), copied into
 *   public test fixtures (e.g. the Go package github.com/gophero/goal, twitter tests; a twarc2
 *   script); 783214 also in a users_by_ids test of a Python X API client.
 * - 17874544 as @Support: a v1.1 status JSON whose `in_reply_to_screen_name` "Support" carries
 *   `in_reply_to_user_id_str` "17874544" (so the rename kept the id; there is no separate
 *   @Support account to add).
 * - 6844292 @XEng (was @TwitterEng): the X API v2 documentation's sample `includes.users` of a
 *   tweet lookup with expansions ({"username":"TwitterEng","id":"6844292"}).
 * NOT verified from a stored source: that @Safety, @XData and @XEng are the renamed
 * @TwitterSafety, @TwitterData and @TwitterEng accounts (same ids) rather than new accounts. The
 * ids above are the ones the sources give for the old handles.
 * Left out on purpose: the developer-platform accounts @XDevelopers (2244994945, same sources)
 * and @API (6253282): they speak of the API, not of x.com, and every byte of this list ships in
 * the page hook (8 KB budget for all content scripts).
 */

/** The ids alone, in a tiny array: what the page hook bundles. */
export const OFFICIAL_USER_IDS: readonly string[] = ['17874544', '6844292', '1526228120', '95731075', '783214'];

/** Id to the handle X used when this list was made (shown only when a sighting carries none). */
export const OFFICIAL_ACCOUNTS: Readonly<Record<string, string>> = {
  '17874544': 'Support',
  '6844292': 'XEng',
  '1526228120': 'XData',
  '95731075': 'Safety',
  '783214': 'X',
};

export function isOfficialUserId(id: unknown): id is string {
  return typeof id === 'string' && OFFICIAL_USER_IDS.includes(id);
}
