import { z } from 'zod';
import { uuid } from '../http/validate.js';

export const createSiteBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
});

export const siteParams = z.object({ siteId: uuid });
