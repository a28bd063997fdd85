import { isReadableByOthers } from '../../client/config.js';
import { UsageError } from '../../errors/index.js';
import { addProfile, loadConfig, removeProfile } from '../../config/profiles.js';
import type { CliIo, Reporter } from '../io.js';
import { FORMATS_OF } from '../formats.js';
import { type OutputFlags, parseOutputFlags, writeRows } from '../output.js';

export interface ProfileAddFlags {
  portal?: string;
  keyEnv?: string;
  keyFile?: string;
  caFile?: string;
  allowInsecureHttp?: boolean;
  alert?: string[];
  default?: boolean;
}

export async function profilesAdd(name: string, flags: ProfileAddFlags, io: CliIo, reporter: Reporter) {
  if (!flags.portal) throw new UsageError('profiles add needs --portal URL');
  if (flags.alert?.length) {
    // Checked now (kind, options, plain http), not at the first alert; secrets load when watched.
    const { parseDestination } = await import('../../alert/destination.js');
    for (const uri of flags.alert) parseDestination(uri, { allowInsecureHttp: flags.allowInsecureHttp });
  }
  if (flags.keyFile && isReadableByOthers(flags.keyFile)) {
    reporter.warn(`the key file ${flags.keyFile} can be read by other users: chmod 600 ${flags.keyFile}`);
  }
  const path = addProfile(
    name,
    {
      portal: flags.portal,
      apiKeyEnv: flags.keyEnv,
      apiKeyFile: flags.keyFile,
      caFile: flags.caFile,
      allowInsecureHttp: flags.allowInsecureHttp,
      ...(flags.alert?.length ? { alerts: flags.alert } : {}),
    },
    io.env,
  );
  if (flags.default) {
    const { saveConfig } = await import('../../config/profiles.js');
    const config = loadConfig(io.env);
    config.defaultProfile = name;
    saveConfig(config, io.env);
  }
  reporter.note(`Saved profile "${name}" in ${path}`);
  return 0;
}

export async function profilesRemove(name: string, io: CliIo, reporter: Reporter) {
  const path = removeProfile(name, io.env);
  reporter.note(`Removed profile "${name}" from ${path}`);
  return 0;
}

interface ProfileRow {
  name: string;
  portal: string;
  key: string;
  isDefault: boolean;
}

export async function profilesList(flags: OutputFlags, io: CliIo) {
  const output = parseOutputFlags(flags, io, FORMATS_OF.profiles);
  const config = loadConfig(io.env);
  const rows: ProfileRow[] = Object.entries(config.profiles).map(([name, p]) => ({
    name,
    portal: p.portal,
    key: p.apiKeyFile ? `file ${p.apiKeyFile}` : `env $${p.apiKeyEnv}`,
    isDefault: config.defaultProfile === name,
  }));
  await writeRows<ProfileRow>(
    output,
    io,
    {
      columns: [
        { key: 'name', header: 'Name', value: (r) => r.name },
        { key: 'portal', header: 'Portal', value: (r) => r.portal },
        { key: 'key', header: 'Key from', value: (r) => r.key },
        { key: 'isDefault', header: 'Default', value: (r) => r.isDefault },
      ],
    },
    rows,
  );
  return 0;
}
