// The worker script itself: new Worker(url, { type: 'module' }) loads this file.
import { attach } from './worker.js';

attach(self);
