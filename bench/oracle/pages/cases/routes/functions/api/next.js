export const onRequest = ({ next }) => next();
