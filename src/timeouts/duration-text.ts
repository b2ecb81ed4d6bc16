export { formatDuration } from '../text/duration.js';
