export * from './sgns';
export * from './vectors';
