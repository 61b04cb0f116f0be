import { serviceEnvShape } from '@ticketing/common/service';
import { z } from 'zod';

/** Everything __NAME__ reads from its environment (spread `natsEnvShape` in too once it publishes or listens). */
export const configSchema = z.object({ ...serviceEnvShape });
