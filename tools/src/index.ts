export { chooseEmbeddedDatabase, type EmbeddedChoice } from './choose-embedded-database';
export {
  type EmbeddedDatabase,
  type EmbeddedDatabaseOptions,
  startEmbeddedDatabase,
} from './embedded-database';
export { freePort } from './free-port';
export { httpOk, type LaunchOptions, type Launched, launch, portOpen } from './launcher';
export { percentile } from './percentile';
export { type RunningRedis, startRedis } from './redis';
