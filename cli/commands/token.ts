import type { Command } from 'commander';
import { getTokenFunction } from '../../partitioners/index.js';
import type { Io } from '../io.js';
import { gatherKeys, keyOptions, type KeyFlags } from '../keys.js';
import { addExamples, jsonOption, partitionerOption } from '../options.js';
import { renderTable, shorten, toJson } from '../render.js';

interface TokenFlags extends KeyFlags {
  partitioner?: string;
  json?: boolean;
}

export function registerToken(program: Command, io: Io): void {
  const command = program
    .command('token')
    .description('print the token of each partition key')
    .argument('[key...]', 'partition keys: UTF-8 strings, or hex bytes with --hex')
    .addOption(partitionerOption());
  for (const option of keyOptions()) command.addOption(option);
  command.addOption(jsonOption()).action(async (args: string[], flags: TokenFlags) => {
    const tokenFunction = getTokenFunction(flags.partitioner ?? 'murmur3');
    const keys = (await gatherKeys(io, args, flags)).map(({ label, bytes }) => ({
      key: label,
      token: tokenFunction.nativeToken(bytes),
    }));
    if (flags.json) {
      io.out(toJson({ partitioner: tokenFunction.name, keys }));
      return;
    }
    io.out(`partitioner: ${tokenFunction.name}\n`);
    io.out(
      `${renderTable(
        [{ header: 'key' }, { header: 'token', align: 'right' }],
        keys.map((entry) => [shorten(entry.key), entry.token.toString()]),
      )}\n`,
    );
  });
  addExamples(command, [
    ['ringlab token hello server-42', 'Murmur3 tokens, as Cassandra computes them'],
    ['ringlab token 68656c6c6f --hex --partitioner xxhash64', 'a key given as hex bytes'],
    ['ringlab token --keys-file keys.txt --json', 'one key per line from a file'],
  ]);
}
