/**
 * The one list of DOM detectors. The id of each is its file name; a unit test checks that every
 * file in this folder is registered here.
 */
import type { Detector, RegisteredDetector } from '../detector.ts';
import dialogError from './dialog-error.ts';
import dmSendError from './dm-send-error.ts';
import fullPageError from './full-page-error.ts';
import mediaError from './media-error.ts';
import timelineError from './timeline-error.ts';
import toast from './toast.ts';

const byFile: Readonly<Record<string, Detector>> = {
  'dialog-error': dialogError,
  'dm-send-error': dmSendError,
  'full-page-error': fullPageError,
  'media-error': mediaError,
  'timeline-error': timelineError,
  toast,
};

export const DETECTORS: readonly RegisteredDetector[] = Object.entries(byFile).map(([id, d]) => ({ ...d, id }));
