import { readFileSync } from 'node:fs';

/** Set by the CLI bundle (scripts/bundle-cli.mjs); undefined when running from tsc's output. */
declare const PACKAGE_VERSION: string | undefined;

/** The package version: inlined in the bundle, else read once from package.json next to dist/. */
export function packageVersion(): string {
  if (typeof PACKAGE_VERSION === 'string') return PACKAGE_VERSION;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * What `--version` prints: the version alone on the first line (scripts read it), then the
 * attribution the geo data's licence (CC BY 4.0) asks for.
 */
export function versionText(): string {
  return `${packageVersion()}\nPlace data from GeoNames (CC BY 4.0); see NOTICE.`;
}
