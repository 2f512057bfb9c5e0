import type { Command } from 'commander';
import { getTokenFunction } from '../../partitioners/index.js';
import type { Io } from '../io.js';
import { parseKeys, partitionerOption } from '../options.js';
import { renderTable, toJson } from '../render.js';

export function registerToken(program: Command, io: Io): void {
  program
    .command('token')
    .description('print the token of each partition key')
    .argument('<key...>', 'partition keys: UTF-8 strings, or hex bytes with --hex')
    .addOption(partitionerOption())
    .option('--hex', 'read keys as hex bytes', false)
    .option('--json', 'print JSON', false)
    .action((keys: string[], flags: { partitioner: string; hex: boolean; json: boolean }) => {
      const tokenFunction = getTokenFunction(flags.partitioner);
      const entries = parseKeys(keys, flags.hex).map(({ label, bytes }) => ({
        key: label,
        token: tokenFunction.nativeToken(bytes),
      }));
      if (flags.json) {
        io.out(toJson(entries));
        return;
      }
      io.out(`partitioner: ${tokenFunction.name}\n`);
      io.out(
        `${renderTable(
          [{ header: 'key' }, { header: 'token', align: 'right' }],
          entries.map((entry) => [entry.key, entry.token.toString()]),
        )}\n`,
      );
    });
}
