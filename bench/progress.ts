export { noProgress, type Progress } from '../engine/progress.js';
