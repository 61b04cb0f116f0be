// The reference design's code names no credentials: the compat client takes them from the
// environment, here the test servers' own user (every test server has authorization on).
import { TEST_ADMIN } from '@ticketing/common/testing';

process.env.NATS_USER = TEST_ADMIN.user;
process.env.NATS_PASSWORD = TEST_ADMIN.pass;
