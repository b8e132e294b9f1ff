import { launchChromium } from './lib/browsers.ts';
import { defineExtensionSuite } from './lib/suite.ts';

defineExtensionSuite('chromium', launchChromium);
