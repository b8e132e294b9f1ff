import { launchFirefox } from './lib/browsers.ts';
import { defineExtensionSuite } from './lib/suite.ts';

defineExtensionSuite('firefox', launchFirefox);
