/** The demo world (`kefu seed --demo`, first start): the base workspace and people, then each module's manifest `demo`. */
export { seedDemo, type DemoCredentials } from './demo.seed.js';
