import { LoginForm } from "@/components/auth/login-form";

export default function LoginPage() {
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-2xl bg-white p-8 shadow-sm ring-1 ring-slate-200">
        <h1 className="mb-1 text-2xl font-bold text-brand-700">Field Sync</h1>
        <p className="mb-6 text-sm text-slate-600">Sign in to capture and sync assessments.</p>
        <LoginForm />
      </div>
    </main>
  );
}
