/**
 * The few jsdom APIs the detection tests use (the repo has no @types/jsdom, and adding a
 * dependency for this was not worth it).
 */
declare module 'jsdom' {
  export interface ConstructorOptions {
    url?: string;
    pretendToBeVisual?: boolean;
    virtualConsole?: VirtualConsole;
  }
  export class VirtualConsole {
    constructor();
  }
  export class JSDOM {
    constructor(html?: string, options?: ConstructorOptions);
    readonly window: Window & typeof globalThis;
    serialize(): string;
  }
}
