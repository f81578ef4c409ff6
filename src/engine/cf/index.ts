export * from './campaign-similarity';
export * from './item-similarity';
export * from './play-matrix';
export * from './recommend';
export * from './top-k';
