export * from './listener-index';
export * from './lookalike';
