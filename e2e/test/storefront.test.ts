import { useStack } from './browser-harness';
import { buyingScenarios } from './buying';
import { marketplaceScenarios } from './marketplace';
import { payingScenarios } from './paying';

// The scenarios on `npm start`'s own settings share one stack and one Chromium, as people share
// one marketplace: each signs up its own users and lists its own tickets. The marketplace's
// runs first, since it begins by finding the marketplace empty. (An order expiring in 5 s
// needs a stack of its own: expiring.test.ts.)
const e2e = useStack('storefront');

marketplaceScenarios(e2e);
buyingScenarios(e2e);
payingScenarios(e2e);
