import { fileURLToPath } from 'node:url';
import { packageConfig } from '../vitest.preset.js';

export default packageConfig(fileURLToPath(new URL('.', import.meta.url)));
