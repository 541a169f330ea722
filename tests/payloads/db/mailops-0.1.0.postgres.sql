--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: mailops_approvals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mailops_approvals (
    id character varying(32) NOT NULL,
    kind character varying(32) NOT NULL,
    order_id integer NOT NULL,
    domain character varying(255) NOT NULL,
    region character varying(8) NOT NULL,
    details json NOT NULL,
    requester character varying(32) NOT NULL,
    channel character varying(32),
    message_ts character varying(32),
    status character varying(16) NOT NULL,
    created_at double precision NOT NULL,
    expires_at double precision NOT NULL,
    decided_by character varying(32),
    decided_at double precision,
    outcome json
);


--
-- Name: mailops_audit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mailops_audit (
    id integer NOT NULL,
    at double precision NOT NULL,
    approval_id character varying(32),
    action character varying(16) NOT NULL,
    actor character varying(32) NOT NULL,
    order_id integer,
    domain character varying(255),
    detail text NOT NULL
);


--
-- Name: mailops_audit_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.mailops_audit_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: mailops_audit_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.mailops_audit_id_seq OWNED BY public.mailops_audit.id;


--
-- Name: mailops_audit id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mailops_audit ALTER COLUMN id SET DEFAULT nextval('public.mailops_audit_id_seq'::regclass);


--
-- Data for Name: mailops_approvals; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.mailops_approvals VALUES ('0a1b2c3d4e5f6071', 'delete', 84372633, 'acme.com', 'us', '{"status": "Active", "accounts": 40}', 'U0AGENT', 'C0SUPPORT', '1700000000.000101', 'pending', 1795000000, 2795000000, NULL, NULL, 'null');
INSERT INTO public.mailops_approvals VALUES ('1b2c3d4e5f607182', 'add-accounts', 84372636, 'example.in', 'in', '{"status": "Active", "accounts": 25, "count": 5, "new_accounts": 30, "invoice_option": "NoInvoice", "discount": null, "estimate": "6.00", "estimate_unit": "1.20", "estimate_band": "26-35", "months_left": 1, "currency": "USD"}', 'U0AGENT', 'C0SUPPORT', '1700000000.000102', 'pending', 1795000060, 2795000000, NULL, NULL, 'null');
INSERT INTO public.mailops_approvals VALUES ('2c3d4e5f60718293', 'delete', 84372634, 'globex.com', 'us', '{"status": "Suspended", "accounts": 3}', 'U0AGENT', 'C0SUPPORT', '1700000000.000103', 'done', 1794996400, 1794998200, 'U0LEAD', 1794997000, '{"action_status": "Success", "description": "Action completed successfully", "action": "Order deleted", "eaqid": "534634"}');


--
-- Data for Name: mailops_audit; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.mailops_audit VALUES (1, 1795608177.2625735, '0a1b2c3d4e5f6071', 'request', 'U0AGENT', 84372633, 'acme.com', '{"accounts": 40, "kind": "delete", "status": "Active"}');
INSERT INTO public.mailops_audit VALUES (2, 1795608177.2643268, '1b2c3d4e5f607182', 'request', 'U0AGENT', 84372636, 'example.in', '{"accounts": 25, "count": 5, "currency": "USD", "discount": null, "estimate": "6.00", "estimate_band": "26-35", "estimate_unit": "1.20", "invoice_option": "NoInvoice", "kind": "add-accounts", "months_left": 1, "new_accounts": 30, "status": "Active"}');
INSERT INTO public.mailops_audit VALUES (3, 1795608177.2653153, '2c3d4e5f60718293', 'request', 'U0AGENT', 84372634, 'globex.com', '{"accounts": 3, "kind": "delete", "status": "Suspended"}');
INSERT INTO public.mailops_audit VALUES (4, 1795608177.26625, '2c3d4e5f60718293', 'approve', 'U0LEAD', 84372634, 'globex.com', '{}');
INSERT INTO public.mailops_audit VALUES (5, 1795608177.26724, '2c3d4e5f60718293', 'execute', 'U0LEAD', 84372634, 'globex.com', '{"action": "Order deleted", "action_status": "Success", "description": "Action completed successfully", "eaqid": "534634", "result": "done"}');


--
-- Name: mailops_audit_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.mailops_audit_id_seq', 5, true);


--
-- Name: mailops_approvals mailops_approvals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mailops_approvals
    ADD CONSTRAINT mailops_approvals_pkey PRIMARY KEY (id);


--
-- Name: mailops_audit mailops_audit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mailops_audit
    ADD CONSTRAINT mailops_audit_pkey PRIMARY KEY (id);


--
-- Name: ix_mailops_approvals_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_mailops_approvals_expires_at ON public.mailops_approvals USING btree (expires_at);


--
-- Name: ix_mailops_approvals_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_mailops_approvals_status ON public.mailops_approvals USING btree (status);


--
-- Name: ix_mailops_audit_approval_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_mailops_audit_approval_id ON public.mailops_audit USING btree (approval_id);


--
-- Name: ix_mailops_audit_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_mailops_audit_at ON public.mailops_audit USING btree (at);


--
-- Name: ix_mailops_audit_domain; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_mailops_audit_domain ON public.mailops_audit USING btree (domain);


--
-- Name: ix_mailops_audit_order_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_mailops_audit_order_id ON public.mailops_audit USING btree (order_id);


--
-- PostgreSQL database dump complete
--


