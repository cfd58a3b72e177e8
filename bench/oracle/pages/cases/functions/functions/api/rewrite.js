export const onRequest = ({ next }) => next("/about");
