import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestFor } from '../../../vite.config.ts';
import { checkPermissionsDocumented, declaredPermissions, parsePermissionsDoc, stalePermissionDocs } from '../../../scripts/package-checks.ts';
import { REPO_ROOT } from '../../e2e/lib/paths.ts';

const DOC = readFileSync(join(REPO_ROOT, 'docs/store/permissions.md'), 'utf8');
const manifests = { chrome: manifestFor('chrome'), firefox: manifestFor('firefox') };

describe('docs/store/permissions.md', () => {
  it('justifies every permission and host each browser manifest asks for', () => {
    for (const [browser, manifest] of Object.entries(manifests)) {
      expect(declaredPermissions(manifest).length, browser).toBeGreaterThan(3);
      expect(checkPermissionsDocumented(manifest, DOC), browser).toEqual([]);
    }
  });

  it('justifies nothing the manifests no longer ask for', () => {
    expect(stalePermissionDocs(Object.values(manifests), DOC)).toEqual([]);
  });

  it('links the privacy policy', () => {
    expect(DOC).toMatch(/\]\(privacy-policy\.md\)/);
  });
});

describe('the permission checks', () => {
  const doc = ['# P', '## `storage`', 'Keeps the settings and the queue of reports across restarts of the worker, in storage.local only.', '### `alarms` `tabs`', 'short', '## Other', 'text'].join('\n');

  it('parses one heading naming several permissions', () => {
    const parsed = parsePermissionsDoc(doc);
    expect([...parsed.keys()]).toEqual(['storage', 'alarms', 'tabs']);
    expect(parsed.get('tabs')).toBe('short');
  });

  it('reports a missing and a placeholder justification', () => {
    const manifest = { permissions: ['storage', 'alarms', 'cookies'], content_scripts: [{ matches: ['https://x.com/*'] }] };
    expect(checkPermissionsDocumented(manifest, doc, 'doc')).toEqual([
      'doc: the justification for "alarms" is too short to be one',
      'doc: no justification for "cookies"',
      'doc: no justification for "https://x.com/*"',
    ]);
    expect(stalePermissionDocs([manifest], doc)).toEqual(['tabs']);
  });
});
