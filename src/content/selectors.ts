/**
 * Every x.com selector the content script uses, in one module. X changes its markup often; when a
 * detector stops matching, this is the one place to update. Keyed on data-testid (stable across
 * languages and CSS rebuilds), never on class names or text. Imported as a namespace
 * (`import * as SELECTORS`): separate constants, unlike an object's keys, are renamed short in
 * the content-script bundle.
 */
/**
 * The circular-arrow icon of X's Retry button. The video player draws its replay button with the
 * same path, so a match only counts inside a timeline cell and outside any post or player.
 */
const RETRY_ICON = 'path[d^="M12 4c-4.418 0-8 3.58-8 8s3.582 8 8 8c3.806 0 6.993-2.66 7.802-6.22"]';

export const layers = 'layers'; // an id: portals for toasts, menus and dialogs
export const primaryColumn = '[data-testid="primaryColumn"]';
/** The full-page error card; X also uses it for "this page doesn't exist". */
export const primaryErrorDetail = `${primaryColumn} [data-testid="error-detail"]`;
export const timelineCell = '[data-testid="cellInnerDiv"]';
export const retryIconPath = RETRY_ICON;
export const timelineRetryIcon = `[data-testid="cellInnerDiv"] ${RETRY_ICON}`;
/** Containers whose content is a post or media, never an error widget of the timeline. */
export const postOrPlayer = 'article, [data-testid="tweet"], [data-testid="videoPlayer"], [data-testid="videoComponent"]';
/** A message of a DM conversation; a failed send shows its notice inside the entry. */
export const dmEntry = '[data-testid="DmActivityViewport"] [data-testid="messageEntry"]';
/** The video player (posts, media viewer, broadcasts): its error overlay is text inside it. */
export const videoPlayer = '[data-testid="videoPlayer"]';
/** A modal (login flow, compose) rendered in #layers. */
export const dialog = '#layers [role="dialog"]';
export const toast = '#layers [data-testid="toast"]';
export const toastOrAlert = '#layers [data-testid="toast"], [role="alert"]';
/** Where the user types (compose, DM composer): never X's message. */
export const editor = '[contenteditable], [role="textbox"], textarea';
/** Text that is never one of X's messages: code, icons, and what the user types. */
export const notMessage = 'script, style, svg, [contenteditable], [role="textbox"], textarea';
/** Something the user presses (Retry, Refresh). Links are left out: "Search" on a 404 page is one. */
export const control = 'button, [role="button"]';
/** Controls and links, whose labels are not part of the message around them. */
export const anyControl = 'button, [role="button"], a, [role="link"]';
