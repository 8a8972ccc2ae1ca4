import { fileURLToPath } from 'node:url';
import { packageConfig } from '../../tools/vitest.preset.js';

export default packageConfig(fileURLToPath(new URL('.', import.meta.url)));
