export * from './rebalance/config.js';
export * from './rebalance/resolve.js';
export * from './rebalance/run.js';
