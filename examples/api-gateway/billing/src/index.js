import { WorkerEntrypoint } from "cloudflare:workers";

const invoices = {
  ada: [{ id: "inv-1", amount: 120 }, { id: "inv-2", amount: 80 }],
};

// A named entrypoint: the gateway's binding names it and passes props (the currency) to ctx.props.
export class Billing extends WorkerEntrypoint {
  fetch(request) {
    const user = request.headers.get("x-user");
    const list = invoices[user] ?? [];
    return Response.json({ user, currency: this.ctx.props.currency, invoices: list, total: list.reduce((s, i) => s + i.amount, 0) });
  }
}

export default {
  fetch() {
    return new Response("Reach billing through the gateway.", { status: 404 });
  },
};
