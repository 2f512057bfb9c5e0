/**
 * `ringlab/conformance`: the conformance suite of the key-strategy contract, for plug-ins written
 * outside this repository. Each case is a name and a function that throws on failure:
 *
 *   for (const { name, run } of partitionerConformance(spec)) it(name, run);
 */
export {
  partitionerConformance,
  type ConformanceCase,
  type ConformanceSpec,
  type MeantQuery,
} from './engine/partitioner-conformance.js';
