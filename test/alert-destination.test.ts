/** Destination URIs: what parses into what, and the usage errors for what cannot work. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSecret, parseDestination, redactUri } from '../src/alert/index.js';
import { UsageError } from '../src/errors/index.js';

describe('parseDestination', () => {
  it.each([
    ['webhook+https://siem.example/hooks/logins', { kind: 'webhook', url: 'https://siem.example/hooks/logins', secret: { env: 'DOCSPACE_LOGINS_WEBHOOK_SECRET' }, minIntervalMs: 100 }],
    ['webhook+https://siem.example/h?token=1#secret-env=HOOK_SECRET&rate=2/s', { kind: 'webhook', url: 'https://siem.example/h?token=1', secret: { env: 'HOOK_SECRET' }, minIntervalMs: 500 }],
    ['webhook+https://siem.example/h#secret-file=/etc/dl/secret', { secret: { file: '/etc/dl/secret' } }],
    ['slack+https://hooks.slack.com/services/T1/B2/xyz', { kind: 'slack', url: 'https://hooks.slack.com/services/T1/B2/xyz', minIntervalMs: 1000, label: 'slack+https://hooks.slack.com/…' }],
    ['teams+https://prod.logic.azure.com/workflows/abc?sig=s3cret', { kind: 'teams', url: 'https://prod.logic.azure.com/workflows/abc?sig=s3cret' }],
    ['webhook+http://127.0.0.1:8080/hook', { kind: 'webhook', url: 'http://127.0.0.1:8080/hook' }],
    ['webhook+http://localhost/hook', { kind: 'webhook' }],
    ['syslog+udp://logs.example', { kind: 'syslog', transport: 'udp', host: 'logs.example', port: 514, format: 'rfc5424', facility: 10 }],
    ['syslog+tls://logs.example?format=cef&facility=local4', { transport: 'tls', port: 6514, format: 'cef', facility: 20 }],
    ['syslog+tcp://[::1]:1514?facility=13', { transport: 'tcp', host: '::1', port: 1514, facility: 13 }],
    ['smtps://bot:p%40ss@mail.example?to=a@example.org&to=b@example.org', { kind: 'smtp', secure: true, port: 465, user: 'bot', password: 'p@ss', to: ['a@example.org', 'b@example.org'], from: 'docspace-logins@mail.example' }],
    ['file:alerts.ndjson', { kind: 'file', path: '/srv/alerts.ndjson' }],
    ['file:///var/log/alerts.ndjson', { kind: 'file', path: '/var/log/alerts.ndjson' }],
  ])('%s', (uri, expected) => {
    expect(parseDestination(uri, { cwd: '/srv' })).toMatchObject(expected);
  });

  it.each([
    ['nonsense', /not a URI/],
    ['ftp://x.example/', /unknown kind "ftp"/],
    ['webhook+ftp://x.example/', /write webhook\+https/],
    ['webhook+http://siem.example/hook', /plain http is allowed only to loopback/],
    ['slack+http://10.0.0.5/hook', /plain http is allowed only to loopback/],
    ['webhook+https://user:pw@siem.example/', /credentials in the URL/],
    ['webhook+https://siem.example/#secret-env=A&secret-file=/x', /not both/],
    ['webhook+https://siem.example/#secret-env=1bad', /not an environment variable name/],
    ['webhook+https://siem.example/#colour=red', /unknown option "colour"/],
    ['slack+https://hooks.slack.com/x#rate=fast', /rate "fast" is not like 1\/s/],
    ['syslog+http://logs.example', /syslog\+udp/],
    ['syslog+udp://logs.example?format=json', /format must be rfc5424 or cef/],
    ['syslog+udp://logs.example?facility=kitchen', /unknown facility/],
    ['syslog+udp://logs.example?ca-file=/x.pem', /ca-file applies to syslog\+tls only/],
    ['smtp://mail.example', /say who gets the mail/],
    ['smtp://mail.example?to=not-an-address', /is not an e-mail address/],
    ['file:', /no path/],
  ])('%s is a usage error: %s', (uri, why) => {
    expect(() => parseDestination(uri)).toThrow(UsageError);
    expect(() => parseDestination(uri)).toThrow(why);
  });

  it('plain http beyond loopback works when explicitly allowed', () => {
    expect(parseDestination('webhook+http://siem.internal/hook', { allowInsecureHttp: true })).toMatchObject({ url: 'http://siem.internal/hook' });
  });

  it('keys are stable, carry no secrets, and ignore our own options', () => {
    const a = parseDestination('slack+https://hooks.slack.com/services/T1/B2/xyz');
    const b = parseDestination('slack+https://hooks.slack.com/services/T1/B2/xyz#rate=2/s');
    const c = parseDestination('slack+https://hooks.slack.com/services/T1/B2/other');
    expect(a.key).toMatch(/^slack:[0-9a-f]{16}$/);
    expect(b.key).toBe(a.key);
    expect(c.key).not.toBe(a.key);
    expect(parseDestination('smtp://u:secret@mail.example?to=a@example.org').key).not.toContain('secret');
  });

  it('errors name the destination without its password or chat token', () => {
    expect(redactUri('smtp://bot:hunter2@mail.example?x=1')).toBe('smtp://bot:***@mail.example?x=1');
    expect(redactUri('slack+https://hooks.slack.com/services/T1/B2/xyz')).toBe('slack+https://hooks.slack.com/…');
    expect(() => parseDestination('smtp://bot:hunter2@mail.example')).toThrow(/^(?!.*hunter2)/s);
  });
});

describe('webhook secrets', () => {
  const good = `whsec_${randomBytes(32).toString('base64')}`;

  it('come from DOCSPACE_LOGINS_WEBHOOK_SECRET, another variable, or a file', () => {
    expect(loadSecret({ env: 'DOCSPACE_LOGINS_WEBHOOK_SECRET' }, { env: { DOCSPACE_LOGINS_WEBHOOK_SECRET: good } }).text).toBe(good);
    expect(loadSecret({ env: 'HOOK' }, { env: { HOOK: ` ${good}\n` } }).key).toHaveLength(32);
    expect(loadSecret({ file: '/run/secret' }, { readFile: (p) => (p === '/run/secret' ? `${good}\n` : '') }).text).toBe(good);
  });

  it.each([
    [{ env: 'HOOK' }, {}, /set HOOK/],
    [{ env: 'HOOK' }, { HOOK: 'hunter2' }, /must start with whsec_/],
    [{ env: 'HOOK' }, { HOOK: `whsec_${randomBytes(8).toString('base64')}` }, /24 to 64 bytes/],
  ])('%o with %o is a usage error', (source, env, why) => {
    expect(() => loadSecret(source, { env })).toThrow(why);
  });

  it('an unreadable secret file is a usage error naming the file', () => {
    expect(() =>
      loadSecret({ file: '/nope' }, {
        readFile: () => {
          throw new Error('ENOENT');
        },
      }),
    ).toThrow(/Cannot read the webhook secret file \/nope/);
  });
});
