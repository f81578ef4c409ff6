import { Foundation1764320000000 } from './1764320000000-foundation';

/** Applied in this order; append new migrations at the end. */
export const ALL_MIGRATIONS = [Foundation1764320000000];
